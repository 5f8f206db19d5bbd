// The admin endpoint over real HTTP on 127.0.0.1 (a free port picked per test).
// cpprestsdk's U() macro breaks GoogleTest's headers; this test does not need it.
#define _TURN_OFF_PLATFORM_STRING
#include "admin/admin_server.hpp"

#include <arpa/inet.h>
#include <cpprest/http_client.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <unistd.h>

#include <streamhost/testing/free_port.hpp>
#include <streamhost/testing/unheld_body.hpp>

#include "runtime/inject.hpp"
#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

namespace http = web::http;

struct Answer {
  int status;
  std::string body;
  std::string content_type;
};

class AdminServerTest : public ::testing::Test {
 protected:
  void start(bool testing) {
    port_ = static_cast<uint16_t>(streamhost::testing::free_loopback_port());
    admin::AdminOptions options;
    options.port = port_;
    options.testing = testing;
    options.aliases = {{"/mock_entry", "entry"}};
    registry_.counter("streamhost_records_in_total", "Records dispatched", {{"route", "entry"}})
        .inc(4);
    server_ = std::make_unique<admin::AdminServer>(
        options, registry_,
        [this] {
          admin::ReadinessReport report;
          report.add("source", source_ok_.load(), source_ok_.load() ? "" : "proxy unreachable");
          std::string why;
          bool plugin_ready = plugin_.ready(why);
          report.add("plugin:testplugin", plugin_ready, why);
          return report;
        },
        &injector_);
    server_->start();
  }

  Answer request(const http::method& method, const std::string& path,
                 const std::string& body = "") {
    http::client::http_client client("http://127.0.0.1:" + std::to_string(port_));
    http::http_request req(method);
    req.set_request_uri(path);
    if (!body.empty()) req.set_body(body, "application/json");
    auto response = client.request(req).get();
    return {response.status_code(), response.extract_string(true).get(),
            response.headers().content_type()};
  }

  void TearDown() override {
    if (server_) server_->stop();
    TestPlugin::not_ready_reason().clear();
  }

  TestPluginInstance plugin_{[](const sp::Record& in, sp::Emitter& out) {
    std::string value(in.value());
    if (value.find("retry") != std::string::npos) return sp::Outcome::retry("database down");
    if (value.find("bad") != std::string::npos) return sp::Outcome::reject("unknown customer");
    out.emit(R"({"echo":)" + value + "}", in.key());
    out.emit("not json", std::nullopt, "side");
    return sp::Outcome::ok();
  }};
  std::vector<runtime::Route> routes_{plugin_.route("entry", "entry-topic", "out")};
  runtime::Injector injector_{routes_};
  metrics::Registry registry_;
  std::atomic<bool> source_ok_{true};
  uint16_t port_ = 0;
  std::unique_ptr<admin::AdminServer> server_;
};

TEST_F(AdminServerTest, HealthzAnswersWhileAlive) {
  start(false);
  auto alive = request(http::methods::GET, "/healthz");
  EXPECT_EQ(alive.status, 200);
  EXPECT_EQ(alive.body, R"({"status":"alive"})");
}

TEST_F(AdminServerTest, ReadyzSaysWhatIsNotReady) {
  start(false);
  auto ready = request(http::methods::GET, "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;

  source_ok_.store(false);
  TestPlugin::not_ready_reason() = "database unreachable";
  auto not_ready = request(http::methods::GET, "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  rapidjson::Document doc;
  doc.Parse(not_ready.body.c_str());
  ASSERT_FALSE(doc.HasParseError()) << not_ready.body;
  EXPECT_FALSE(doc["ready"].GetBool());
  std::map<std::string, std::string> failing;
  for (const auto& c : doc["checks"].GetArray()) {
    if (!c["ok"].GetBool()) failing[c["name"].GetString()] = c["detail"].GetString();
  }
  EXPECT_EQ(failing["source"], "proxy unreachable");
  EXPECT_EQ(failing["plugin:testplugin"], "database unreachable") << not_ready.body;
}

TEST_F(AdminServerTest, MetricsUsesThePrometheusTextFormat) {
  start(false);
  auto metrics = request(http::methods::GET, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.content_type.find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(metrics.body.find("streamhost_records_in_total{route=\"entry\"} 4\n"),
            std::string::npos)
      << metrics.body;
}

TEST_F(AdminServerTest, InjectPathsAnswer404OutsideTestingMode) {
  start(false);
  EXPECT_EQ(request(http::methods::POST, "/inject/entry", R"({"a":1})").status, 404);
  EXPECT_EQ(request(http::methods::POST, "/mock_entry", R"({"a":1})").status, 404);
  EXPECT_EQ(request(http::methods::GET, "/nope").status, 404);
}

TEST_F(AdminServerTest, InjectRunsTheHandlerAndReturnsWhatItEmitted) {
  start(true);
  auto answer = request(http::methods::POST, "/inject/entry?key=cust%2D3", R"({"a":1})");
  ASSERT_EQ(answer.status, 200) << answer.body;
  rapidjson::Document doc;
  doc.Parse(answer.body.c_str());
  ASSERT_FALSE(doc.HasParseError()) << answer.body;
  EXPECT_STREQ(doc["status"].GetString(), "ok");
  const auto& emitted = doc["emitted"];
  ASSERT_EQ(emitted.Size(), 2u);
  EXPECT_STREQ(emitted[0]["topic"].GetString(), "out");
  EXPECT_STREQ(emitted[0]["key"].GetString(), "cust-3");
  EXPECT_EQ(emitted[0]["value"]["echo"]["a"].GetInt(), 1);  // JSON values come back parsed
  EXPECT_STREQ(emitted[1]["topic"].GetString(), "side");
  EXPECT_TRUE(emitted[1]["key"].IsNull());
  EXPECT_STREQ(emitted[1]["value"].GetString(), "not json");
}

TEST_F(AdminServerTest, InjectRefusesAnOversizedBody) {
  start(true);
  auto answer = request(http::methods::POST, "/inject/entry", std::string(5u << 20, 'x'));
  EXPECT_EQ(answer.status, 413) << answer.body;
  EXPECT_NE(answer.body.find("at most 4194304 bytes"), std::string::npos) << answer.body;
  EXPECT_EQ(request(http::methods::POST, "/inject/entry", R"({"a":1})").status, 200);
}

// A chunked body announces no length: it is counted as it arrives and refused past the limit, so
// a 128 MiB body is never held whole, and the answer is 413.
TEST_F(AdminServerTest, InjectRefusesAChunkedBodyOverTheLimitInBoundedMemory) {
  start(true);
  const std::string reply =
      streamhost::testing::post_128_mib_answered_early(port_, "/inject/entry");
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply.substr(0, 200);
  EXPECT_NE(reply.find("too_large"), std::string::npos) << reply.substr(0, 400);
  EXPECT_EQ(request(http::methods::POST, "/inject/entry", R"({"a":1})").status, 200);
}

// Every other endpoint reads no body: one sent anyway is dropped as it arrives, not held.
TEST_F(AdminServerTest, ABodyNoEndpointReadsIsDropped) {
  start(true);
  const std::string reply = streamhost::testing::post_128_mib_answered_early(port_, "/metrics");
  EXPECT_EQ(reply.rfind("HTTP/1.1 404", 0), 0u) << reply.substr(0, 200);
}

TEST_F(AdminServerTest, InjectMapsStatusesAndAliases) {
  start(true);
  auto rejected = request(http::methods::POST, "/mock_entry", R"({"bad":true})");
  EXPECT_EQ(rejected.status, 422);
  EXPECT_NE(rejected.body.find("unknown customer"), std::string::npos);
  EXPECT_NE(rejected.body.find("reject"), std::string::npos);
  EXPECT_EQ(request(http::methods::POST, "/inject/entry", R"({"retry":1})").status, 503);
  EXPECT_EQ(request(http::methods::POST, "/mock_entry", R"({"ok":1})").status, 200);
  EXPECT_EQ(request(http::methods::POST, "/inject/unknown", "{}").status, 404);
}

}  // namespace
}  // namespace streamhost::host::testing
