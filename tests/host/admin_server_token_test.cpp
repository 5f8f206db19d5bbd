// The management API over real HTTP with a token configured: reads stay open, every POST needs
// "Authorization: Bearer <token>" and is refused with 401 before it reaches the pipeline.
// cpprestsdk's U() macro breaks GoogleTest's headers; this test does not need it.
#define _TURN_OFF_PLATFORM_STRING
#include <cpprest/http_client.h>
#include <gtest/gtest.h>

#include <atomic>
#include <streamhost/testing/free_port.hpp>

#include "admin/admin_server.hpp"
#include "runtime/inject.hpp"
#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

namespace http = web::http;

struct Answer {
  int status;
  std::string body;
  std::string www_authenticate;
};

class AdminServerToken : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = static_cast<uint16_t>(streamhost::testing::free_loopback_port());
    admin::AdminOptions options;
    options.port = port_;
    options.testing = true;
    options.token = "s3cret-admin-token";
    admin::PipelineInfo info;
    info.name = "demo";
    info.workers = 1;
    info.routes = {{"entry", "entry-topic", "testplugin/handle", "out"}};
    info.redacted_config_json = "{}";
    api_ = std::make_unique<admin::ManagementApi>(
        info, admin::PipelineAccess{[] { return runtime::PipelineStatus{}; },
                                    {},
                                    [this](const std::optional<std::string>&) {
                                      ++pauses_;
                                      return true;
                                    },
                                    [](const std::optional<std::string>&) { return true; }});
    server_ = std::make_unique<admin::AdminServer>(
        options, registry_, [] { return admin::ReadinessReport{}; }, &injector_);
    server_->set_management(api_.get());
    server_->start();
  }
  void TearDown() override { server_->stop(); }

  Answer request(const http::method& method, const std::string& path,
                 const std::string& authorization = "") {
    http::client::http_client client("http://127.0.0.1:" + std::to_string(port_));
    http::http_request req(method);
    req.set_request_uri(path);
    if (!authorization.empty()) req.headers().add("Authorization", authorization);
    auto response = client.request(req).get();
    auto www = response.headers().find("WWW-Authenticate");
    return {response.status_code(), response.extract_string(true).get(),
            www == response.headers().end() ? "" : www->second};
  }

  TestPluginInstance plugin_{[](const sp::Record&, sp::Emitter&) { return sp::Outcome::ok(); }};
  std::vector<runtime::Route> routes_{plugin_.route("entry", "entry-topic", "out")};
  runtime::Injector injector_{routes_};
  metrics::Registry registry_;
  std::unique_ptr<admin::ManagementApi> api_;
  std::unique_ptr<admin::AdminServer> server_;
  uint16_t port_ = 0;
  std::atomic<int> pauses_{0};
};

TEST_F(AdminServerToken, ReadsAreOpenAndEveryPostNeedsTheBearerToken) {
  EXPECT_EQ(request(http::methods::GET, "/pipeline").status, 200);
  EXPECT_EQ(request(http::methods::GET, "/pipeline/partitions").status, 200);
  EXPECT_EQ(request(http::methods::GET, "/healthz").status, 200);
  EXPECT_EQ(request(http::methods::GET, "/metrics").status, 200);

  const Answer none = request(http::methods::POST, "/pipeline/pause");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.www_authenticate, "Bearer");
  EXPECT_NE(none.body.find("needs the admin token"), std::string::npos) << none.body;
  EXPECT_EQ(none.body.find("s3cret"), std::string::npos) << "the token leaked into an answer";
  EXPECT_EQ(request(http::methods::POST, "/pipeline/pause", "Bearer wrong").status, 401);
  EXPECT_EQ(request(http::methods::POST, "/pipeline/pause", "Basic s3cret-admin-token").status,
            401);
  EXPECT_EQ(request(http::methods::POST, "/inject/entry").status, 401) << "inject paths mutate too";
  EXPECT_EQ(pauses_, 0) << "a refused request reached the pipeline";

  const Answer ok = request(http::methods::POST, "/pipeline/pause", "Bearer s3cret-admin-token");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(pauses_, 1);
}

}  // namespace
}  // namespace streamhost::host::testing
