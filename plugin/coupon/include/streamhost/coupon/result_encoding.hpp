// Encodes the "prediction result" events (schema/prediction_result.schema.json).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace streamhost::coupon {

// "2021-03-18T08:29:02.160Z": UTC, milliseconds, Z suffix.
std::string iso8601_utc_millis(std::chrono::system_clock::time_point at);

std::string encode_prediction_result(int64_t customer_id, int64_t coupon_id, double prediction,
                                     std::chrono::system_clock::time_point at);

}  // namespace streamhost::coupon
