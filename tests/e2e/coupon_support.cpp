// GCC's late -Wnull-dereference analysis flags RapidJSON's validator teardown (schema.h), a false
// positive in a system header instantiated here.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "coupon_support.hpp"

#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "e2e_support.hpp"
#include "pg_fixture.hpp"
#include "reference_data.hpp"

namespace streamhost::e2e {

std::string entry_event(int64_t customer_id, const std::string& event_type) {
  return R"({"event_type":")" + event_type +
         R"(","event_timestamp":"2021-03-18T08:29:02.160Z","payload":{"customer_id":)" +
         std::to_string(customer_id) + "}}";
}

std::string focus_event(int64_t customer_id, const std::string& category,
                        const std::string& event_type) {
  return R"({"event_type":")" + event_type +
         R"(","event_timestamp":"2021-03-18T08:29:02.160Z","payload":{"customer_id":)" +
         std::to_string(customer_id) + R"(,"category":")" + category + "\"}}";
}

std::vector<KeyedValue> results_of(const std::vector<ConsumedRecord>& records,
                                   const std::string& topic, int64_t customer_id) {
  std::vector<KeyedValue> out;
  for (const auto& r : of_topic(records, topic)) {
    if (r.key == std::to_string(customer_id)) out.push_back({*r.key, r.value.value_or("")});
  }
  return out;
}

CouponTopics CouponTopics::make(const std::string& test) {
  const std::string id = unique("e2e-" + test);
  return {id + "-entry", id + "-focus", id + "-predictions", id + "-dead-letters", id + "-group"};
}

EnvOverrides CouponTopics::env(int admin_port, const std::string& scorer_url) const {
  return {{"GROUP_ID", group},
          {"ENTRY_EVENT_TOPIC_NAME", entry},
          {"FOCUS_EVENT_TOPIC_NAME", focus},
          {"COUPON_PREDICTION_TOPIC_NAME", predictions},
          {"DEAD_LETTER_TOPIC_NAME", dead_letters},
          {"AUTO_OFFSET_RESET", "earliest"},
          {"STREAMHOST_PLUGIN_DIR", Built::coupon_plugin_dir()},
          {"ADMIN_PORT", std::to_string(admin_port)},
          {"COUPON_SCORER_URL", scorer_url}};
}

CouponReference::CouponReference() : model_(Built::repo("plugin/coupon/model/model.json")) {
  const auto db = coupon::testing::StackDb::from_env();
  if (!db.missing.empty()) {
    throw std::runtime_error(db.missing + " is not set: run `manifests/local/stack up` and " +
                             "`eval \"$(manifests/local/stack env)\"` first");
  }
  pg_ = std::make_unique<coupon::testing::PgTestConnection>(db);
}

CouponReference::~CouponReference() = default;

std::vector<Expected> CouponReference::expected(int64_t customer_id, const std::string& category) {
  const std::string canonical = category == "Sports" ? "Sport" : category;
  const auto row = coupon::testing::read_customer_row(*pg_, customer_id);
  const auto coupons = coupon::testing::read_category_coupons(*pg_, canonical);
  return model_.expected(row, coupons, canonical, 5, 0.2);
}

std::string CouponReference::category_with_results(int64_t customer_id,
                                                   const std::string& preferred) {
  auto start = std::find(kCategories.begin(), kCategories.end(), preferred);
  if (start == kCategories.end()) start = kCategories.begin();
  for (size_t i = 0; i < kCategories.size(); ++i) {
    const std::string& category =
        kCategories[(static_cast<size_t>(start - kCategories.begin()) + i) % kCategories.size()];
    if (!expected(customer_id, category).empty()) return category;
  }
  return {};
}

namespace {

const rapidjson::SchemaDocument& prediction_result_schema() {
  static const rapidjson::SchemaDocument schema = [] {
    std::ifstream in(Built::repo("schema/prediction_result.schema.json"));
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document doc;
    doc.Parse(text.str());
    if (doc.HasParseError()) throw std::runtime_error("prediction_result.schema.json is not JSON");
    return rapidjson::SchemaDocument(doc);
  }();
  return schema;
}

}  // namespace

::testing::AssertionResult results_match(const std::vector<KeyedValue>& results,
                                         int64_t customer_id,
                                         const std::vector<Expected>& expected) {
  const std::string who = "customer " + std::to_string(customer_id) + ": ";
  if (results.size() != expected.size()) {
    auto failure = ::testing::AssertionFailure()
                   << who << results.size() << " results, expected " << expected.size() << ":";
    for (const auto& r : results) failure << "\n  " << r.value;
    return failure;
  }
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    if (r.key != std::to_string(customer_id))
      return ::testing::AssertionFailure() << who << "result " << i << " keyed \"" << r.key << "\"";
    rapidjson::Document doc;
    doc.Parse(r.value);
    if (doc.HasParseError())
      return ::testing::AssertionFailure() << who << "result " << i << " is not JSON: " << r.value;
    rapidjson::SchemaValidator validator(prediction_result_schema());
    if (!doc.Accept(validator)) {
      rapidjson::StringBuffer where;
      validator.GetInvalidSchemaPointer().StringifyUriFragment(where);
      return ::testing::AssertionFailure()
             << who << "result " << i << " breaks the prediction result schema at "
             << where.GetString() << " (keyword " << validator.GetInvalidSchemaKeyword()
             << "): " << r.value;
    }
    const auto& payload = doc["payload"];
    if (payload["customer_id"].GetInt64() != customer_id ||
        payload["coupon_id"].GetInt64() != expected[i].coupon_id ||
        std::fabs(payload["prediction"].GetDouble() - expected[i].prediction) > 1e-9) {
      return ::testing::AssertionFailure()
             << who << "result " << i << " is " << r.value << ", expected coupon "
             << expected[i].coupon_id << " with prediction " << expected[i].prediction;
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace streamhost::e2e
