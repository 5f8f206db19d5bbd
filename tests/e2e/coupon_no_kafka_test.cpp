// TESTING_NO_KAFKA=true: the coupon pipeline without any Kafka, driven through the original
// service's mock endpoints (POST /mock_entry, /mock_focus) with its own documented example bodies.
// The answer lists what the handler emitted; an unknown customer is refused with 422 and the
// reason.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "admin_probe.hpp"
#include "coupon_support.hpp"
#include "e2e_support.hpp"

namespace streamhost::e2e {
namespace {

using namespace std::chrono_literals;

// The original service's documented example bodies.
const char* kSeedEntry = R"({
  "event_type": "entry event",
  "event_timestamp": "2021-03-18T08:29:02.160Z",
  "payload": {
    "customer_id": 3
  }
})";
const char* kSeedFocus7 = R"({
  "event_type": "focus event",
  "event_timestamp": "2021-03-18T08:29:02.160Z",
  "payload": {
    "customer_id": 7,
    "category": "Sport"
  }
})";
const char* kSeedFocus8 = R"({
  "event_type": "focus event",
  "event_timestamp": "2021-03-18T08:29:02.160Z",
  "payload": {
    "customer_id": 8,
    "category": "Women" 
  }
})";

std::string to_text(const rapidjson::Value& v) {
  if (v.IsString()) return v.GetString();
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return buf.GetString();
}

class CouponNoKafka : public ProcessTest {};

TEST_F(CouponNoKafka, MockEndpointsAnswerWithTheEmittedPredictions) {
  ASSERT_FALSE(HasFailure());
  CouponReference reference;
  const CouponTopics topics = CouponTopics::make("nokafka");
  const int port = free_port();
  EnvOverrides env = topics.env(port);
  env["TESTING_NO_KAFKA"] = "true";
  // No proxy may be needed: point it at a closed port so any attempt to use it would fail.
  env["STREAMHOST_REST_PROXY_URL"] = "http://127.0.0.1:" + std::to_string(free_port());
  ChildProcess& host =
      start_streamhost("streamhost", Built::repo("manifests/pipelines/coupon.yaml"), env);
  AdminProbe admin(port);
  ASSERT_TRUE(wait_for([&] { return admin.ready() || !host.running(); }, 60s))
      << "not ready: " << admin.readyz().status << " " << admin.readyz().body;
  ASSERT_TRUE(host.running());

  // The original service's health check, which the coupon manifest serves through
  // admin.health_paths: the host's own liveness answer.
  const HttpAnswer health = http_call(port, "GET", "/healthcheck");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, http_call(port, "GET", "/healthz").body);

  const HttpAnswer entry = http_call(port, "POST", "/mock_entry", kSeedEntry);
  ASSERT_EQ(entry.status, 200) << entry.body;
  rapidjson::Document entry_doc;
  entry_doc.Parse(entry.body);
  ASSERT_FALSE(entry_doc.HasParseError()) << entry.body;
  EXPECT_STREQ(entry_doc["status"].GetString(), "ok");
  EXPECT_EQ(entry_doc["emitted"].Size(), 0u) << "an entry event emits nothing";

  size_t total_emitted = 0;
  for (const auto& [body, customer, category] :
       {std::tuple<const char*, int64_t, const char*>{kSeedFocus7, 7, "Sport"},
        std::tuple<const char*, int64_t, const char*>{kSeedFocus8, 8, "Women"}}) {
    const HttpAnswer focus = http_call(port, "POST", "/mock_focus", body);
    ASSERT_EQ(focus.status, 200) << focus.body;
    rapidjson::Document doc;
    doc.Parse(focus.body);
    ASSERT_FALSE(doc.HasParseError()) << focus.body;
    EXPECT_STREQ(doc["status"].GetString(), "ok");
    std::vector<KeyedValue> emitted;
    for (const auto& e : doc["emitted"].GetArray()) {
      EXPECT_EQ(to_text(e["topic"]), topics.predictions);
      emitted.push_back({to_text(e["key"]), to_text(e["value"])});
    }
    EXPECT_TRUE(results_match(emitted, customer, reference.expected(customer, category)))
        << focus.body;
    total_emitted += emitted.size();
  }
  // Guards against a vacuous pass: the documented examples do get coupons with the stack's data.
  EXPECT_GT(total_emitted, 0u) << "neither example focus event emitted anything";

  const HttpAnswer unknown =
      http_call(port, "POST", "/mock_focus", focus_event(99999, "Men", "focus event"));
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  rapidjson::Document doc;
  doc.Parse(unknown.body);
  ASSERT_FALSE(doc.HasParseError()) << unknown.body;
  EXPECT_STREQ(doc["status"].GetString(), "reject");
  EXPECT_NE(to_text(doc["reason"]).find("unknown customer_id 99999"), std::string::npos)
      << unknown.body;

  const HttpAnswer malformed =
      http_call(port, "POST", "/mock_focus", R"({"event_type":"focus event",)");
  EXPECT_EQ(malformed.status, 422) << malformed.body;
  EXPECT_NE(malformed.body.find("event: not JSON"), std::string::npos) << malformed.body;

  expect_graceful_stop(host);
}

}  // namespace
}  // namespace streamhost::e2e
