#include "events.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <ctime>

namespace streamhost::loadgen {

std::string iso8601_millis(int64_t unix_us) {
  int64_t ms = unix_us / 1000;
  if (unix_us < 0 && unix_us % 1000 != 0) --ms;
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  int64_t millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return text;
}

std::optional<int64_t> parse_iso8601_ms(std::string_view text) {
  std::tm utc{};
  int consumed = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  int64_t millis = 0;
  size_t i = 19;
  if (i < copy.size() && copy[i] == '.') {
    int digits = 0;
    for (++i; i < copy.size() && copy[i] >= '0' && copy[i] <= '9'; ++i, ++digits) {
      if (digits < 3) millis = millis * 10 + (copy[i] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  if (i + 1 != copy.size() || copy[i] != 'Z') return std::nullopt;
  return static_cast<int64_t>(timegm(&utc)) * 1000 + millis;
}

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string finish(rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

void write_header(Writer& w, const char* type, int64_t unix_us) {
  w.Key("event_type");
  w.String(type);
  w.Key("event_timestamp");
  w.String(iso8601_millis(unix_us));
}

}  // namespace

std::string entry_event_json(int64_t customer_id, int64_t unix_us) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  write_header(w, "customer entry", unix_us);
  w.Key("payload");
  w.StartObject();
  w.Key("customer_id");
  w.Int64(customer_id);
  w.EndObject();
  w.EndObject();
  return finish(buffer);
}

std::string focus_event_json(int64_t customer_id, std::string_view category, int64_t unix_us,
                             int64_t sequence) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  write_header(w, "customer focus", unix_us);
  w.Key("payload");
  w.StartObject();
  w.Key("customer_id");
  w.Int64(customer_id);
  w.Key("category");
  w.String(category.data(), static_cast<rapidjson::SizeType>(category.size()));
  w.Key("loadgen_seq");
  w.Int64(sequence);
  w.EndObject();
  w.EndObject();
  return finish(buffer);
}

std::optional<PredictionResult> decode_prediction_result(std::string_view json,
                                                         std::string& error) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  auto type = doc.FindMember("event_type");
  if (type == doc.MemberEnd() || !type->value.IsString() ||
      std::string_view(type->value.GetString()) != "prediction result") {
    error = "event_type is not \"prediction result\"";
    return std::nullopt;
  }
  auto payload = doc.FindMember("payload");
  if (payload == doc.MemberEnd() || !payload->value.IsObject()) {
    error = "missing payload";
    return std::nullopt;
  }
  const auto& p = payload->value;
  auto customer = p.FindMember("customer_id");
  auto coupon = p.FindMember("coupon_id");
  auto prediction = p.FindMember("prediction");
  if (customer == p.MemberEnd() || !customer->value.IsInt64() || coupon == p.MemberEnd() ||
      !coupon->value.IsInt64() || prediction == p.MemberEnd() || !prediction->value.IsNumber()) {
    error = "payload needs integer customer_id and coupon_id and a numeric prediction";
    return std::nullopt;
  }
  PredictionResult result;
  result.customer_id = customer->value.GetInt64();
  result.coupon_id = coupon->value.GetInt64();
  result.prediction = prediction->value.GetDouble();
  auto timestamp = doc.FindMember("event_timestamp");
  if (timestamp != doc.MemberEnd() && timestamp->value.IsString()) {
    result.event_timestamp = timestamp->value.GetString();
  }
  return result;
}

}  // namespace streamhost::loadgen
