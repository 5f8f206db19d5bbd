// Decoding one focus event the way the coupon plugin did before it switched to the SDK's JSON view
// (sp::Json, streamhost/record_json.hpp): the same bounded parser, then RapidJSON's validator
// against customer_focus.schema.json. BM_FocusDecode (focus_path_benchmark.cpp) measures the
// plugin's decoding today, through the view, which checks the same rules directly. Kept so the
// comparison behind the switch (BENCHMARKS.md) can be rerun; run the two interleaved:
//   streamhost_coupon_benchmark --benchmark_filter='BM_FocusDecode' --benchmark_repetitions=10
#include <benchmark/benchmark.h>

#include <streamhost/coupon/events.hpp>
#include <streamhost/coupon/schemas.hpp>
#include <streamhost/json/bounded_parse.hpp>

#include "synthetic_data.hpp"

namespace {

using namespace streamhost::bench;
using streamhost::coupon::FocusEvent;

// The former plugin/coupon/src/events.cpp, for an event the schema accepts (the benchmark checks
// that before it runs; reasons are left out).
std::optional<FocusEvent> decode_focus_with_schema(std::string_view text) {
  rapidjson::Document doc;
  if (streamhost::json::parse_bounded(doc, text)) return std::nullopt;
  if (streamhost::coupon::schema(streamhost::coupon::SchemaId::kCustomerFocus).check(doc)) {
    return std::nullopt;
  }
  const auto& payload = doc["payload"];
  if (!payload["customer_id"].IsInt64()) return std::nullopt;
  const auto& name = payload["category"];
  const auto category = streamhost::coupon::parse_category(
      std::string_view(name.GetString(), name.GetStringLength()));
  if (!category) return std::nullopt;
  return FocusEvent{payload["customer_id"].GetInt64(), *category};
}

void BM_FocusDecodeSchema(benchmark::State& state) {
  const std::string event = focus_event(7, "Women");
  const FocusEvent expected = streamhost::coupon::decode_focus(event);
  const auto got = decode_focus_with_schema(event);
  if (!got || got->customer_id != expected.customer_id || got->category != expected.category) {
    state.SkipWithError("the two decoders disagree");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(decode_focus_with_schema(event));
}
BENCHMARK(BM_FocusDecodeSchema);

}  // namespace
