#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <ctime>
#include <streamhost/coupon/result_encoding.hpp>

namespace streamhost::coupon {

std::string iso8601_utc_millis(std::chrono::system_clock::time_point at) {
  const auto ms_since_epoch =
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  // Floor division so instants before 1970 still get a 0..999 millisecond part.
  std::time_t seconds = static_cast<std::time_t>(ms_since_epoch / 1000);
  long long millis = ms_since_epoch % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
  return text;
}

std::string encode_prediction_result(int64_t customer_id, int64_t coupon_id, double prediction,
                                     std::chrono::system_clock::time_point at) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("event_type");
  writer.String("prediction result");
  writer.Key("event_timestamp");
  writer.String(iso8601_utc_millis(at));
  writer.Key("payload");
  writer.StartObject();
  writer.Key("customer_id");
  writer.Int64(customer_id);
  writer.Key("coupon_id");
  writer.Int64(coupon_id);
  writer.Key("prediction");
  writer.Double(prediction);
  writer.EndObject();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace streamhost::coupon
