// Helpers for the tests that run against the local stack's REST proxy (label integration).
#pragma once

#include <cpprest/http_client.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <streamhost/connector/rest_proxy.hpp>
#include <string>
#include <utility>
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
  // Unset means the local stack's bridge; a value the host would refuse fails here too.
  const std::string name = dialect == nullptr ? "" : dialect;
  if (name.empty() || name == "strimzi") {
    out.dialect = connector::Dialect::kStrimzi;
  } else if (name == "confluent") {
    out.dialect = connector::Dialect::kConfluent;
  } else {
    ADD_FAILURE() << "STREAMHOST_REST_PROXY_DIALECT is \"" << name
                  << "\": expected strimzi or confluent";
    return false;
  }
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

// The stack script, which creates topics through Kafka's own TopicCommand: proxy-neutral, unlike
// the Strimzi-only `POST /admin/topics`. STREAMHOST_STACK_SCRIPT in the environment wins over the
// path compiled in (tests/connectors/CMakeLists.txt, tests/e2e/CMakeLists.txt). The script reads
// STREAMHOST_KAFKA_BOOTSTRAP and STREAMHOST_RUN_DIR from the environment `stack env` exported.
inline std::string stack_script() {
  const char* from_env = std::getenv("STREAMHOST_STACK_SCRIPT");
  if (from_env != nullptr && *from_env != '\0') return from_env;
#ifndef STREAMHOST_STACK_SCRIPT
#error "STREAMHOST_STACK_SCRIPT (the path of manifests/local/stack) must be a compile definition"
#endif
  return STREAMHOST_STACK_SCRIPT;
}

// Creates topics (name, partitions) in one `stack topic NAME:PARTITIONS...` call (the tool's JVMs
// then start side by side); an existing topic is fine. A failure names the command and its output.
inline void create_topics(const std::vector<std::pair<std::string, int>>& topics) {
  std::string command = "'" + stack_script() + "' topic";
  for (const auto& [name, partitions] : topics) {
    // unique_name() and the tests' own names never need quoting; refuse anything that would.
    ASSERT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789._-"),
              std::string::npos)
        << "topic name " << name;
    command += " '" + name + ":" + std::to_string(partitions) + "'";
  }
  command += " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr) << "cannot run " << command;
  std::string output;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  const int status = ::pclose(pipe);
  ASSERT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "creating topics failed (exit status " << status << "): " << command << "\n"
      << output;
}

inline void create_topic(const StackEndpoints&, const std::string& topic, int partitions) {
  create_topics({{topic, partitions}});
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
