// The coupon pipeline's events as the load tool writes and reads them (schema/customer_entry,
// customer_focus, prediction_result). Pure functions, unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace streamhost::loadgen {

// "2026-11-28T23:41:10.123Z" for a time in microseconds since the Unix epoch.
std::string iso8601_millis(int64_t unix_us);
// The inverse for "YYYY-MM-DDTHH:MM:SS[.fff...]Z"; nullopt for anything else.
std::optional<int64_t> parse_iso8601_ms(std::string_view text);

std::string entry_event_json(int64_t customer_id, int64_t unix_us);
// The focus event carries its intended send time as event_timestamp and the load tool's sequence
// number as payload.loadgen_seq (an extra field, which the plugin accepts and ignores), so a
// person reading the topic can tie an event to the run; results are matched by customer order.
std::string focus_event_json(int64_t customer_id, std::string_view category, int64_t unix_us,
                             int64_t sequence);

struct PredictionResult {
  int64_t customer_id = 0;
  int64_t coupon_id = 0;
  double prediction = 0;
  std::string event_timestamp;  // the pipeline's processing time, ms resolution
};

// Reads one prediction result event; nullopt plus `error` when the value is not one.
std::optional<PredictionResult> decode_prediction_result(std::string_view json, std::string& error);

}  // namespace streamhost::loadgen
