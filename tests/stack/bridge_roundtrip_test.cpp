// A JSON record produced through the stack's REST proxy comes back through a consumer instance.
// Real Kafka, real bridge: the endpoints come from `manifests/local/stack env`. Raw HTTP, so the
// few dialect differences are spelled out here (STREAMHOST_REST_PROXY_DIALECT, strimzi unless
// "confluent"): the auto-commit field's name and type, and how a produce result says "no error".
// Topics are created through Kafka first: a proxy need not auto-create them (Karapace refuses a
// produce to a missing topic with 40401).

// cpprestsdk's U() macro clashes with GoogleTest's templates; the narrow-string API needs neither.
#define _TURN_OFF_PLATFORM_STRING
#include <cpprest/http_client.h>
#include <cpprest/json.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "bridge_support.hpp"
#include "stack_env.hpp"

using web::http::http_request;
using web::http::http_response;
using web::http::methods;
using web::http::status_codes;
using web::http::client::http_client;
using web::json::value;

namespace {

constexpr char kJsonEmbedded[] = "application/vnd.kafka.json.v2+json";
constexpr char kKafkaV2[] = "application/vnd.kafka.v2+json";

http_response send(http_client& client, const web::http::method& method, const std::string& path,
                   const std::string& body = {}, const std::string& content_type = {},
                   const std::string& accept = {}) {
  http_request req(method);
  req.set_request_uri(path);
  // The utf8 overload sends the content type unchanged; the bridge matches it exactly.
  if (!content_type.empty()) req.set_body(body, content_type);
  if (!accept.empty()) req.headers().add("Accept", accept);
  return client.request(req).get();
}

bool confluent_dialect() {
  return streamhost::stack_test::stack_env("STREAMHOST_REST_PROXY_DIALECT") == "confluent";
}

// Confluent writes `"error_code": null` into a successful result; Strimzi leaves the field out.
bool has_error(const value& result) {
  return result.has_field("error_code") && !result.at("error_code").is_null();
}

}  // namespace

TEST(StackBridge, JsonRecordRoundTripsThroughAConsumerInstance) {
  STACK_REQUIRE_ENV(base, "STREAMHOST_REST_PROXY_URL");
  const std::string suffix = streamhost::stack_test::random_suffix();
  const std::string topic = "stack-roundtrip-" + suffix;
  const std::string group = "stack-roundtrip-group-" + suffix;
  const std::string instance = "stack-roundtrip-consumer-" + suffix;
  streamhost::testing::create_topics({{topic, 1}});
  if (::testing::Test::HasFatalFailure()) return;
  http_client client(base);

  value record = value::object();
  record["key"] = value::string("customer-7");
  record["value"] = value::parse(R"({"event_type":"customer entry","payload":{"customer_id":7}})");
  record["value"]["nonce"] = value::string(suffix);
  value produce = value::object();
  produce["records"] = value::array({record});
  auto produced =
      send(client, methods::POST, "/topics/" + topic, produce.serialize(), kJsonEmbedded);
  ASSERT_EQ(produced.status_code(), status_codes::OK);
  const value offsets = produced.extract_json(true).get().at("offsets");
  ASSERT_EQ(offsets.size(), 1U);
  // HTTP 200 says nothing about each record: the per-record result carries any error.
  ASSERT_FALSE(has_error(offsets.at(0))) << offsets.serialize();
  EXPECT_EQ(offsets.at(0).at("offset").as_number().to_int64(), 0);

  // Each dialect refuses the other's auto-commit field.
  const std::string no_auto_commit =
      confluent_dialect() ? R"("auto.commit.enable":"false")" : R"("enable.auto.commit":false)";
  auto created =
      send(client, methods::POST, "/consumers/" + group,
           R"({"name":")" + instance + R"(","format":"json","auto.offset.reset":"earliest",)" +
               no_auto_commit + "}",
           kKafkaV2);
  ASSERT_EQ(created.status_code(), status_codes::OK);
  EXPECT_EQ(created.extract_json(true).get().at("instance_id").as_string(), instance);
  const std::string instance_path = "/consumers/" + group + "/instances/" + instance;

  auto subscribed = send(client, methods::POST, instance_path + "/subscription",
                         R"({"topics":[")" + topic + R"("]})", kKafkaV2);
  ASSERT_EQ(subscribed.status_code(), status_codes::NoContent);

  // The first polls return [] until the group join completes: poll until the record or ~30 s.
  value found;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (found.is_null() && std::chrono::steady_clock::now() < deadline) {
    auto polled =
        send(client, methods::GET, instance_path + "/records?timeout=1000", {}, {}, kJsonEmbedded);
    ASSERT_EQ(polled.status_code(), status_codes::OK);
    const value records = polled.extract_json(true).get();
    for (const auto& r : records.as_array()) {
      if (r.at("value").has_field("nonce") && r.at("value").at("nonce").as_string() == suffix) {
        found = r;
      }
    }
  }
  auto deleted = send(client, methods::DEL, instance_path);
  EXPECT_EQ(deleted.status_code(), status_codes::NoContent);

  ASSERT_FALSE(found.is_null()) << "the record did not come back within 30 s";
  EXPECT_EQ(found.at("topic").as_string(), topic);
  EXPECT_EQ(found.at("key").as_string(), "customer-7");
  EXPECT_EQ(found.at("value").at("payload").at("customer_id").as_integer(), 7);
  EXPECT_EQ(found.at("offset").as_number().to_int64(), 0);
}

TEST(StackBridge, WrongAcceptIsRefusedWith406) {
  STACK_REQUIRE_ENV(base, "STREAMHOST_REST_PROXY_URL");
  const std::string suffix = streamhost::stack_test::random_suffix();
  const std::string group = "stack-accept-group-" + suffix;
  const std::string path = "/consumers/" + group + "/instances/c-" + suffix;
  streamhost::testing::create_topics({{"stack-accept-" + suffix, 1}});
  if (::testing::Test::HasFatalFailure()) return;
  http_client client(base);
  ASSERT_EQ(send(client, methods::POST, "/consumers/" + group,
                 R"({"name":"c-)" + suffix + R"(","format":"json"})", kKafkaV2)
                .status_code(),
            status_codes::OK);
  ASSERT_EQ(send(client, methods::POST, path + "/subscription",
                 R"({"topics":["stack-accept-)" + suffix + R"("]})", kKafkaV2)
                .status_code(),
            status_codes::NoContent);
  EXPECT_EQ(send(client, methods::GET, path + "/records", {}, {}, kKafkaV2).status_code(),
            status_codes::NotAcceptable);
  EXPECT_EQ(send(client, methods::DEL, path).status_code(), status_codes::NoContent);
}
