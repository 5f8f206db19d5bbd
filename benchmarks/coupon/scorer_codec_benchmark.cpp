// The HTTP scorer's JSON work without the network, for 100 and 1,000 coupons: what the plugin
// does to build and check a request, what the scorer server does with it, and what the plugin does
// to check and read the answer.
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>

#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/http_scorer.hpp>

#include "scorer_server.hpp"
#include "synthetic_data.hpp"

namespace {

using namespace streamhost::bench;

constexpr int64_t kCustomer = 7;

void sweep_coupons(benchmark::internal::Benchmark* b) {
  b->Arg(100)->Arg(1000)->ArgName("coupons");
}

// The request body as HttpScorer::score builds it: the customer object, then the category's
// "coupons" array cached in the catalog.
std::string request_body(const std::string& customer_json, const CategoryCoupons& coupons) {
  std::string body;
  body.reserve(coupons.coupons_json.size() + customer_json.size() + 32);
  body += "{\"customer\":";
  body += customer_json;
  body += ",\"coupons\":";
  body += coupons.coupons_json;
  body += '}';
  return body;
}

std::string request_body(const CustomerInfo& customer, const CategoryCoupons& coupons) {
  return request_body(customer_to_json(customer), coupons);
}

// Request encoding, the client-side cost before the HTTP call, mirroring HttpScorer::score: the
// customer object, its schema check (the plugin validates the customer part of what it sends; the
// coupons array was checked once when the catalog was built), and the body.
void BM_ScorerRequestEncode(benchmark::State& state) {
  const auto catalog =
      Catalog::build(synthetic_catalog_rows(static_cast<int>(state.range(0))), *reference_model());
  const CategoryCoupons& coupons = catalog->category(Category::kWomen);
  const CustomerInfo customer = synthetic_customer(kCustomer);
  for (auto _ : state) {
    const std::string customer_json = customer_to_json(customer);
    rapidjson::Document request;
    request.Parse("{\"customer\":" + customer_json + ",\"coupons\":[]}");
    if (schema(SchemaId::kScorerRequest).check(request)) state.SkipWithError("invalid request");
    benchmark::DoNotOptimize(request_body(customer_json, coupons));
  }
}
BENCHMARK(BM_ScorerRequestEncode)->Apply(sweep_coupons)->Unit(benchmark::kMicrosecond);

// For comparison: validating the whole request (with every coupon) against the request schema,
// what a generic check of each request would cost.
void BM_ScorerRequestFullSchemaCheck(benchmark::State& state) {
  const auto catalog =
      Catalog::build(synthetic_catalog_rows(static_cast<int>(state.range(0))), *reference_model());
  const std::string body =
      request_body(synthetic_customer(kCustomer), catalog->category(Category::kWomen));
  for (auto _ : state) {
    rapidjson::Document request;
    request.Parse(body.data(), body.size());
    if (schema(SchemaId::kScorerRequest).check(request)) state.SkipWithError("invalid request");
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_ScorerRequestFullSchemaCheck)->Apply(sweep_coupons)->Unit(benchmark::kMicrosecond);

// The scorer server's handling of one POST /score body: parse, schema check, score, encode answer.
void BM_ScorerServerScore(benchmark::State& state) {
  const auto catalog =
      Catalog::build(synthetic_catalog_rows(static_cast<int>(state.range(0))), *reference_model());
  const std::string body =
      request_body(synthetic_customer(kCustomer), catalog->category(Category::kWomen));
  for (auto _ : state) benchmark::DoNotOptimize(score_request_json(*reference_model(), body));
}
BENCHMARK(BM_ScorerServerScore)->Apply(sweep_coupons)->Unit(benchmark::kMicrosecond);

// Response decoding (decode_scorer_response): parse, schema check, every coupon exactly once, the
// right customer, predictions in [0, 1], reordered into the catalog's order.
void BM_ScorerResponseDecode(benchmark::State& state) {
  const auto catalog =
      Catalog::build(synthetic_catalog_rows(static_cast<int>(state.range(0))), *reference_model());
  const CategoryCoupons& coupons = catalog->category(Category::kWomen);
  const std::string answer =
      score_request_json(*reference_model(), request_body(synthetic_customer(kCustomer), coupons));
  std::vector<double> predictions;
  for (auto _ : state) {
    decode_scorer_response(answer, kCustomer, coupons, predictions);
    benchmark::DoNotOptimize(predictions.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(answer.size()));
}
BENCHMARK(BM_ScorerResponseDecode)->Apply(sweep_coupons)->Unit(benchmark::kMicrosecond);

}  // namespace
