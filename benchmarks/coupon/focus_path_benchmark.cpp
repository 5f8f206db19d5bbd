// The coupon focus handler's pure path, stage by stage and whole, with no database and no plugin
// boundary, swept over coupons per category (100, 1,000, 10,000; the real data has 700-960).
// Every catalog is synthetic and built through Catalog::build, as the plugin builds it.
#include <benchmark/benchmark.h>

#include <streamhost/coupon/catalog_cache.hpp>
#include <streamhost/coupon/context_cache.hpp>
#include <streamhost/coupon/coupon_service.hpp>
#include <streamhost/coupon/events.hpp>
#include <streamhost/coupon/ranking.hpp>
#include <streamhost/coupon/result_encoding.hpp>
#include <streamhost/coupon/scorer.hpp>

#include "latency_counters.hpp"
#include "synthetic_data.hpp"

namespace {

using namespace streamhost::bench;

constexpr int64_t kCustomer = 7;

void sweep_coupons(benchmark::internal::Benchmark* b) {
  b->Arg(100)->Arg(1000)->Arg(10000)->ArgName("coupons_per_category");
}

// Everything a focus event needs, wired like the plugin wires it but with an in-memory customer
// source, so only CPU work is measured.
struct FocusFixture {
  explicit FocusFixture(int per_category)
      : catalog([per_category] { return synthetic_catalog_rows(per_category); }, reference_model(),
                std::chrono::hours(1), std::chrono::hours(1)),
        scorer(reference_model()),
        service({5, 0.2}, customers, contexts, catalog, scorer, metrics) {
    service.on_entry(entry_event(kCustomer));  // the context is cached: focus hits the cache
  }
  InMemoryCustomers customers;
  ContextCache contexts{10000, std::chrono::hours(1)};
  CatalogCache catalog;
  EmbeddedScorer scorer;
  Metrics metrics;
  CouponService service;
};

// Stage 1: decoding one focus event through the SDK's JSON view (bounded parse, the event's rules
// checked field by field; BM_FocusDecodeSchema is the schema validation it replaced). Independent
// of the catalog size; run once.
void BM_FocusDecode(benchmark::State& state) {
  const std::string event = focus_event(kCustomer, "Women");
  for (auto _ : state) benchmark::DoNotOptimize(decode_focus(event));
}
BENCHMARK(BM_FocusDecode);

// Stage 2: a context cache hit (mutex, hash lookup, LRU splice, TTL check) in a cache holding
// 10,000 customers.
void BM_ContextCacheHit(benchmark::State& state) {
  ContextCache contexts(10000, std::chrono::hours(1));
  for (int64_t id = 1; id <= 10000; ++id) {
    contexts.put(std::make_shared<const CustomerInfo>(synthetic_customer(id)));
  }
  int64_t id = 0;
  for (auto _ : state) {
    id = id % 10000 + 1;
    benchmark::DoNotOptimize(contexts.get(id));
  }
}
BENCHMARK(BM_ContextCacheHit);

// Stage 3: taking the current catalog (shared_ptr copy under a mutex) and one category's coupons.
void BM_CatalogLookup(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  CatalogCache catalog([n] { return synthetic_catalog_rows(n); }, reference_model(),
                       std::chrono::hours(1), std::chrono::hours(1));
  for (auto _ : state) {
    auto current = catalog.current();
    benchmark::DoNotOptimize(&current->category(Category::kWomen));
  }
}
BENCHMARK(BM_CatalogLookup)->Apply(sweep_coupons);

// Stage 4: the embedded model scoring one customer against a category (customer terms once, then
// one short loop over the precomputed coupon terms). items/s = coupons scored per second.
void BM_EmbeddedScore(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto catalog = Catalog::build(synthetic_catalog_rows(n), *reference_model());
  const CategoryCoupons& coupons = catalog->category(Category::kWomen);
  const CustomerInfo customer = synthetic_customer(kCustomer);
  EmbeddedScorer scorer(reference_model());
  std::vector<double> predictions;
  for (auto _ : state) {
    scorer.score(customer, coupons, predictions);
    benchmark::DoNotOptimize(predictions.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_EmbeddedScore)->Apply(sweep_coupons);

// Stage 5: ranking, the best 5 strictly above 0.2 among the category's predictions.
void BM_Ranking(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto catalog = Catalog::build(synthetic_catalog_rows(n), *reference_model());
  const CategoryCoupons& coupons = catalog->category(Category::kWomen);
  std::vector<double> predictions;
  EmbeddedScorer(reference_model()).score(synthetic_customer(kCustomer), coupons, predictions);
  for (auto _ : state) {
    benchmark::DoNotOptimize(rank_best(coupons.coupon_ids, predictions, 5, 0.2));
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Ranking)->Apply(sweep_coupons);

// Stage 6: encoding the 5 prediction result events of one focus (timestamp formatting + JSON).
void BM_ResultEncoding(benchmark::State& state) {
  const auto at = std::chrono::system_clock::now();
  for (auto _ : state) {
    for (int64_t coupon = 1; coupon <= 5; ++coupon) {
      benchmark::DoNotOptimize(encode_prediction_result(kCustomer, coupon, 0.4321, at));
    }
  }
  state.SetItemsProcessed(state.iterations() * 5);
}
BENCHMARK(BM_ResultEncoding);

// The whole focus handler (CouponService::on_focus) with the embedded model and a cached context:
// decode + cache hit + catalog lookup + score + rank + encode, the work per focus record.
void BM_FocusEmbedded(benchmark::State& state) {
  FocusFixture fixture(static_cast<int>(state.range(0)));
  const std::string event = focus_event(kCustomer, "Women");
  IterationTimer timer;
  for (auto _ : state) {
    timer.start();
    benchmark::DoNotOptimize(fixture.service.on_focus(event));
    timer.stop();
  }
  timer.report(state);
}
BENCHMARK(BM_FocusEmbedded)->Apply(sweep_coupons)->Unit(benchmark::kMicrosecond);

// The entry handler (CouponService::on_entry) for a customer already in the context cache. The
// handler always re-reads the customer (it refreshes the cache), so this is decode + an in-memory
// fetch + cache replace: the handler's own cost, with the PostgreSQL round trip left out.
void BM_EntryCachedCustomer(benchmark::State& state) {
  FocusFixture fixture(100);
  const std::string event = entry_event(kCustomer);
  for (auto _ : state) fixture.service.on_entry(event);
}
BENCHMARK(BM_EntryCachedCustomer);

}  // namespace
