// Measures the coupon hot path without a database or the plugin boundary:
//   BM_ModelScore:   the embedded model scoring one customer against N precomputed coupons.
//   BM_RankBest:     choosing the best 5 above the threshold among N predictions.
//   BM_FocusEmbedded: a whole focus event (decode, cached context, score, rank, encode) against
//                    a category of N coupons, with the embedded model.
//   BM_FocusHttp:    the same through the HTTP scorer client and the real coupon-scorer server
//                    in-process on loopback (request build + validation, HTTP, answer checks).
#include <benchmark/benchmark.h>

#include <random>
#include <streamhost/coupon/catalog_cache.hpp>
#include <streamhost/coupon/context_cache.hpp>
#include <streamhost/coupon/coupon_service.hpp>
#include <streamhost/coupon/http_scorer.hpp>
#include <streamhost/coupon/model.hpp>
#include <streamhost/coupon/ranking.hpp>
#include <streamhost/coupon/schemas.hpp>

#include "scorer_server.hpp"

namespace {

using namespace streamhost::coupon;

std::shared_ptr<const Model> model() {
  static auto m = std::make_shared<const Model>(Model::from_json(default_model_text()));
  return m;
}

CustomerInfo customer() {
  CustomerInfo c;
  c.customer_id = 7;
  const double numbers[] = {0, 0, 3, 1, 5, 0, -0.9, 420, 97.5, 1.02, -830.2, 8, 61000, 700};
  const char* texts[] = {"26-35", "Married", nullptr, nullptr, nullptr, "F"};
  for (size_t i = 0; i < kCustomerFields.size(); ++i) {
    c.fields[i].null = false;
    if (kCustomerFields[i].kind == FieldKind::kText)
      c.fields[i].text = texts[i];
    else
      c.fields[i].number = numbers[i];
  }
  return c;
}

std::vector<CatalogRow> rows(int n, Category category) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> discount(-8, -0.01), price(15, 600);
  std::vector<CatalogRow> out;
  for (int i = 0; i < n; ++i) out.push_back({i + 1, category, discount(rng), price(rng)});
  return out;
}

void BM_ModelScore(benchmark::State& state) {
  auto catalog = Catalog::build(rows(static_cast<int>(state.range(0)), Category::kWomen), *model());
  const auto& coupons = catalog->category(Category::kWomen);
  const CustomerInfo c = customer();
  std::vector<double> predictions;
  for (auto _ : state) {
    model()->score(c, coupons.table, predictions);
    benchmark::DoNotOptimize(predictions.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ModelScore)->Arg(10)->Arg(100)->Arg(900)->Arg(2000);

void BM_RankBest(benchmark::State& state) {
  auto catalog = Catalog::build(rows(static_cast<int>(state.range(0)), Category::kWomen), *model());
  const auto& coupons = catalog->category(Category::kWomen);
  std::vector<double> predictions;
  model()->score(customer(), coupons.table, predictions);
  for (auto _ : state) benchmark::DoNotOptimize(rank_best(coupons.coupon_ids, predictions, 5, 0.2));
}
BENCHMARK(BM_RankBest)->Arg(100)->Arg(900);

class FixedCustomer final : public CustomerSource {
 public:
  std::optional<CustomerInfo> fetch_customer(int64_t) override { return customer(); }
};

void BM_FocusEmbedded(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  FixedCustomer source;
  ContextCache contexts(1000, std::chrono::hours(1));
  CatalogCache catalog([n] { return rows(n, Category::kWomen); }, model(), std::chrono::hours(1));
  EmbeddedScorer scorer(model());
  Metrics metrics;
  CouponService service({5, 0.2}, source, contexts, catalog, scorer, metrics);
  service.on_entry(R"({"event_type":"customer entry","payload":{"customer_id":7}})");
  const std::string focus =
      R"({"event_type":"customer focus","event_timestamp":"2021-03-18T08:29:02.160Z",)"
      R"("payload":{"customer_id":7,"category":"Women"}})";
  for (auto _ : state) benchmark::DoNotOptimize(service.on_focus(focus));
}
BENCHMARK(BM_FocusEmbedded)->Arg(100)->Arg(900)->Unit(benchmark::kMicrosecond);

void BM_FocusHttp(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  ScorerServer server(model(), "127.0.0.1", 18971);
  server.start();
  FixedCustomer source;
  ContextCache contexts(1000, std::chrono::hours(1));
  CatalogCache catalog([n] { return rows(n, Category::kWomen); }, model(), std::chrono::hours(1));
  HttpScorerOptions options;
  options.url = server.url();
  HttpScorer scorer(options);
  Metrics metrics;
  CouponService service({5, 0.2}, source, contexts, catalog, scorer, metrics);
  service.on_entry(R"({"event_type":"customer entry","payload":{"customer_id":7}})");
  const std::string focus =
      R"({"event_type":"customer focus","payload":{"customer_id":7,"category":"Women"}})";
  for (auto _ : state) benchmark::DoNotOptimize(service.on_focus(focus));
}
BENCHMARK(BM_FocusHttp)->Arg(100)->Arg(900)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
