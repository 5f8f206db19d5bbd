// Decoding one focus event two ways, for the question whether the coupon plugin should read its
// events through the SDK's JSON view (sp::Json, streamhost/record_json.hpp) instead of RapidJSON
// plus the event's JSON Schema (plugin/coupon/src/events.cpp, today). Both use the same bounded
// parser; they differ in validation: the schema validator walks the document against
// customer_focus.schema.json, the view checks the same rules by hand (event_type one of two names,
// event_timestamp a string when present, payload an object, customer_id an integer >= 0, category
// one of six names) and builds a path string per field it visits. Run them interleaved:
//   streamhost_coupon_benchmark --benchmark_filter='BM_FocusDecode' --benchmark_repetitions=10
#include <benchmark/benchmark.h>

#include <streamhost/coupon/events.hpp>
#include <streamhost/record_json.hpp>

#include "synthetic_data.hpp"

namespace {

namespace sp = streamhost::plugin;
using namespace streamhost::bench;
using streamhost::coupon::FocusEvent;

FocusEvent decode_focus_with_json_view(std::string_view text) {
  const sp::Json event = sp::Json::parse(text, {}, "event");
  const std::string_view type = event["event_type"].as_string();
  if (type != "customer focus" && type != "focus event") {
    throw sp::JsonError("event.event_type: expected \"customer focus\", got \"" +
                        std::string(type) + "\"");
  }
  if (const auto stamp = event.find("event_timestamp")) stamp->as_string();
  const sp::Json payload = event["payload"].as_object();
  const sp::Json id = payload["customer_id"];
  const int64_t customer = id.as_int();
  if (customer < 0) throw sp::JsonError(id.path() + ": below 0");
  const sp::Json category = payload["category"];
  const auto parsed = streamhost::coupon::parse_category(category.as_string());
  if (!parsed) throw sp::JsonError(category.path() + ": unknown category");
  return FocusEvent{customer, *parsed};
}

void BM_FocusDecodeJsonView(benchmark::State& state) {
  const std::string event = focus_event(7, "Women");
  const FocusEvent expected = streamhost::coupon::decode_focus(event);
  const FocusEvent got = decode_focus_with_json_view(event);
  if (got.customer_id != expected.customer_id || got.category != expected.category) {
    state.SkipWithError("the two decoders disagree");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(decode_focus_with_json_view(event));
}
BENCHMARK(BM_FocusDecodeJsonView);

}  // namespace
