// Helpers for the tests that run against the local stack's REST proxy (label integration).
#pragma once

#include <cpprest/http_client.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <streamhost/connector/rest_proxy.hpp>
#include <string>
#include <vector>

namespace streamhost::testing {

struct StackEndpoints {
  std::string proxy_url;
  connector::Dialect dialect = connector::Dialect::kStrimzi;
};

// Fails (never skips) when the stack's variables are missing.
inline bool read_stack(StackEndpoints& out) {
  const char* url = std::getenv("STREAMHOST_REST_PROXY_URL");
  const char* dialect = std::getenv("STREAMHOST_REST_PROXY_DIALECT");
  if (url == nullptr || *url == '\0') {
    ADD_FAILURE() << "STREAMHOST_REST_PROXY_URL is not set: run `manifests/local/stack up` and "
                     "`eval \"$(manifests/local/stack env)\"` first";
    return false;
  }
  out.proxy_url = url;
  out.dialect = dialect != nullptr && std::string(dialect) == "confluent"
                    ? connector::Dialect::kConfluent
                    : connector::Dialect::kStrimzi;
  return true;
}

inline std::string unique_name(const std::string& purpose) {
  static std::mt19937_64 rng{std::random_device{}()};
  return "streamhost-test-" + purpose + "-" + std::to_string(rng() % 1000000000ULL);
}

inline connector::RestProxyOptions stack_options(const StackEndpoints& stack) {
  connector::RestProxyOptions o;
  o.base_url = stack.proxy_url;
  o.dialect = stack.dialect;
  o.request_timeout = std::chrono::seconds(15);
  o.max_retries = 3;
  return o;
}

// Creates a topic through the bridge's admin endpoint (Strimzi 0.33+: POST /admin/topics).
inline void create_topic(const StackEndpoints& stack, const std::string& topic, int partitions) {
  web::http::client::http_client client(stack.proxy_url);
  web::http::http_request request(web::http::methods::POST);
  request.set_request_uri("/admin/topics");
  request.set_body("{\"topic_name\":\"" + topic + "\",\"partitions_count\":" +
                       std::to_string(partitions) + ",\"replication_factor\":1}",
                   "application/vnd.kafka.json.v2+json");
  auto response = client.request(request).get();
  ASSERT_EQ(response.status_code(), 201) << response.extract_utf8string(true).get();
}

// A raw DELETE, as if someone (or the proxy's idle sweep) removed the instance.
inline int raw_delete(const std::string& url) {
  web::http::client::http_client client(url);
  return client.request(web::http::methods::DEL).get().status_code();
}

// Polls until `count` records arrived or `limit` passed (the first polls after subscribe return
// nothing while the group join completes).
inline std::vector<connector::ConsumedRecord> poll_until(
    connector::Source& source, size_t count,
    std::chrono::milliseconds limit = std::chrono::seconds(40)) {
  std::vector<connector::ConsumedRecord> all;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (all.size() < count && std::chrono::steady_clock::now() < deadline) {
    for (auto& r : source.poll(std::chrono::milliseconds(500))) all.push_back(std::move(r));
  }
  return all;
}

}  // namespace streamhost::testing
