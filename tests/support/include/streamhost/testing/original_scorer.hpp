// A stand-in for the original system's prediction service, written for tests: it speaks only the
// original API (shared/seed/prediction-service-api.md) and is stricter than the original itself.
// A request whose field set or JSON types differ in any way gets 422 and is counted as invalid,
// so a test can prove the coupon plugin sends nothing but the original's request. Its predictions
// are a deterministic function of (customer, coupon) that no model in the project computes, so a
// result that reaches the output topic can only have come from this scorer.
//
// Include GoogleTest (if used) before this header: cpprestsdk's U() macro breaks its templates.
#pragma once

#include <cpprest/http_listener.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <streamhost/testing/free_port.hpp>
#include <string>
#include <vector>

namespace streamhost::testing {

class OriginalScorerStandIn {
 public:
  // The stand-in's answer for a pair: in [0, 1), spread so that some coupons pass a 0.2 threshold.
  static double prediction_for(int64_t customer_id, int64_t coupon_id) {
    const uint64_t h = static_cast<uint64_t>(customer_id) * 0x9E3779B97F4A7C15ull ^
                       static_cast<uint64_t>(coupon_id) * 0xC2B2AE3D27D4EB4Full;
    return static_cast<double>((h >> 11) % 10007) / 10007.0;
  }

  OriginalScorerStandIn()
      : url_("http://127.0.0.1:" + std::to_string(free_loopback_port())),
        listener_(std::make_unique<web::http::experimental::listener::http_listener>(url_)) {
    listener_->support([this](web::http::http_request request) { handle(std::move(request)); });
    listener_->open().wait();
  }
  ~OriginalScorerStandIn() {
    try {
      listener_->close().wait();
    } catch (const std::exception&) {
      // Already closed: nothing to release.
    }
  }
  OriginalScorerStandIn(const OriginalScorerStandIn&) = delete;
  OriginalScorerStandIn& operator=(const OriginalScorerStandIn&) = delete;

  // What COUPON_SCORER_URL is set to: the full URL POSTed to.
  std::string score_url() const { return url_ + "/score"; }

  std::atomic<int> valid_requests{0};
  std::atomic<int> invalid_requests{0};

  // Why the last invalid request was refused ("" when none was).
  std::string last_refusal() const {
    std::lock_guard lock(mutex_);
    return last_refusal_;
  }
  // The coupon ids of the last valid request.
  std::vector<int64_t> last_coupon_ids() const {
    std::lock_guard lock(mutex_);
    return last_coupon_ids_;
  }

 private:
  // Exactly these members, each of exactly this JSON type: nothing more, nothing less.
  enum class Kind { kInteger, kNumber, kString };
  struct Field {
    const char* name;
    Kind kind;
  };

  static bool has_kind(const rapidjson::Value& v, Kind kind) {
    switch (kind) {
      case Kind::kInteger:
        return v.IsInt64();
      case Kind::kNumber:
        return v.IsNumber();
      case Kind::kString:
        return v.IsString();
    }
    return false;
  }

  // "" when `object` has exactly `fields`, else what is wrong.
  static std::string exact_fields(const rapidjson::Value& object, const std::vector<Field>& fields,
                                  const std::string& where) {
    if (!object.IsObject()) return where + " is not an object";
    if (object.MemberCount() != fields.size()) {
      return where + " has " + std::to_string(object.MemberCount()) + " fields, not " +
             std::to_string(fields.size());
    }
    for (const Field& f : fields) {
      auto it = object.FindMember(f.name);
      if (it == object.MemberEnd()) return where + "." + f.name + " is missing";
      if (!has_kind(it->value, f.kind)) return where + "." + f.name + " has the wrong type";
    }
    return "";
  }

  static const std::vector<Field>& customer_fields() {
    static const std::vector<Field> fields = {
        {"customer_id", Kind::kInteger},         {"age_range", Kind::kString},
        {"marital_status", Kind::kString},       {"family_size", Kind::kInteger},
        {"no_of_children", Kind::kInteger},      {"income_bracket", Kind::kInteger},
        {"gender", Kind::kString},               {"mean_discount_used", Kind::kNumber},
        {"total_discount_used", Kind::kNumber},  {"total_unique_items_bought", Kind::kInteger},
        {"total_quantity_bought", Kind::kInteger}, {"mean_quantity_bought", Kind::kNumber},
        {"mean_selling_price_paid", Kind::kNumber}, {"total_coupons_redeemed", Kind::kInteger},
        {"total_price_paid", Kind::kNumber}};
    return fields;
  }

  static const std::vector<Field>& coupon_fields() {
    static const std::vector<Field> fields = {{"coupon_id", Kind::kInteger},
                                              {"item_selling_price", Kind::kNumber},
                                              {"coupon_discount", Kind::kNumber},
                                              {"item_category", Kind::kString}};
    return fields;
  }

  // "" when the body is the original's request, else what is wrong.
  static std::string refusal(const rapidjson::Document& doc) {
    if (!doc.IsObject() || doc.MemberCount() != 2 || !doc.HasMember("customer") ||
        !doc.HasMember("coupons")) {
      return "the body must be exactly {customer, coupons}";
    }
    std::string why = exact_fields(doc["customer"], customer_fields(), "customer");
    if (!why.empty()) return why;
    if (!doc["coupons"].IsArray()) return "coupons is not an array";
    const std::set<std::string> categories = {"Boys", "Girls", "Men", "Sport", "Sports", "Women"};
    for (const auto& coupon : doc["coupons"].GetArray()) {
      why = exact_fields(coupon, coupon_fields(), "coupons[]");
      if (!why.empty()) return why;
      if (!categories.count(coupon["item_category"].GetString()))
        return "coupons[].item_category is not a department";
    }
    return "";
  }

  void handle(web::http::http_request request) {
    const std::string path = request.relative_uri().path();
    if (path == "/healthcheck" && request.method() == web::http::methods::GET) {
      request.reply(web::http::status_codes::OK, "OK", "text/plain");
      return;
    }
    if (path != "/score" || request.method() != web::http::methods::POST) {
      request.reply(web::http::status_codes::NotFound, "", "text/plain");
      return;
    }
    const std::string body = request.extract_utf8string(true).get();
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    const std::string why = doc.HasParseError() ? "not JSON" : refusal(doc);
    if (!why.empty()) {
      {
        std::lock_guard lock(mutex_);
        last_refusal_ = why;
      }
      ++invalid_requests;  // after the refusal is stored: a test that sees the count reads it
      request.reply(web::http::status_codes::UnprocessableEntity,
                    R"({"detail":[{"type":"value_error","loc":["body"],"msg":")" + why + "\"}]}",
                    "application/json");
      return;
    }
    const int64_t customer_id = doc["customer"]["customer_id"].GetInt64();
    std::vector<int64_t> ids;
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
    for (const auto& coupon : doc["coupons"].GetArray()) {
      const int64_t coupon_id = coupon["coupon_id"].GetInt64();
      ids.push_back(coupon_id);
      writer.StartObject();
      writer.Key("coupon_id");
      writer.Int64(coupon_id);
      writer.Key("customer_id");
      writer.Int64(customer_id);
      writer.Key("prediction");
      writer.Double(prediction_for(customer_id, coupon_id));
      writer.EndObject();
    }
    writer.EndArray();
    {
      std::lock_guard lock(mutex_);
      last_coupon_ids_ = std::move(ids);
    }
    // Counted only once its coupons are stored: a test that waits for the count to move then
    // reads this request's coupons, never the previous request's.
    ++valid_requests;
    request.reply(web::http::status_codes::OK, buffer.GetString(), "application/json");
  }

  std::string url_;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener_;
  mutable std::mutex mutex_;
  std::string last_refusal_;
  std::vector<int64_t> last_coupon_ids_;
};

}  // namespace streamhost::testing
