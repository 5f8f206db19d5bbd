// Liveness and readiness that never block the HTTP pool: the liveness rules, the readiness
// monitor with a check that hangs, and /healthz answering 503 with the reason.
#define _TURN_OFF_PLATFORM_STRING
#include <cpprest/http_client.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <streamhost/testing/free_port.hpp>
#include <thread>
#include <utility>
#include <vector>

#include "admin/admin_server.hpp"
#include "admin/readiness_monitor.hpp"
#include "runtime/liveness.hpp"

namespace streamhost::host::testing {
namespace {

using namespace std::chrono_literals;

runtime::PipelineHealth healthy() {
  runtime::PipelineHealth h;
  h.running = true;
  h.since_poll_loop = 50ms;
  h.since_progress = 1s;
  return h;
}

TEST(AdminLiveness, AliveWhileTheLoopTurnsAndWorkProgresses) {
  EXPECT_EQ(runtime::liveness_problem(healthy(), 120s), std::nullopt);
  auto idle = healthy();
  idle.since_progress = 1h;  // nothing in flight: an idle pipeline is alive however long
  EXPECT_EQ(runtime::liveness_problem(idle, 120s), std::nullopt);
}

TEST(AdminLiveness, NotAliveWhenFailedStoppingOrWedged) {
  auto failed = healthy();
  failed.fatal_message = "handler failed fatally";
  EXPECT_NE(runtime::liveness_problem(failed, 120s).value_or("").find("handler failed fatally"),
            std::string::npos);

  auto stopping = healthy();
  stopping.stopping = true;
  EXPECT_NE(runtime::liveness_problem(stopping, 120s).value_or("").find("stopping"),
            std::string::npos);

  auto loop_stuck = healthy();
  loop_stuck.since_poll_loop = 121s;
  EXPECT_NE(runtime::liveness_problem(loop_stuck, 120s).value_or("").find("poll loop"),
            std::string::npos);

  auto wedged = healthy();
  wedged.in_flight = 3;
  wedged.since_progress = 200s;
  EXPECT_NE(runtime::liveness_problem(wedged, 120s).value_or("").find("3 records in flight"),
            std::string::npos);
  wedged.since_progress = 119s;
  EXPECT_EQ(runtime::liveness_problem(wedged, 120s), std::nullopt);
}

TEST(AdminReadinessMonitor, AnswersFromMemoryAndReportsAStuckCheck) {
  std::atomic<bool> hang{false};
  std::atomic<bool> release{false};
  std::atomic<int> runs{0};
  admin::ReadinessMonitor monitor(
      [&] {
        ++runs;
        while (hang.load() && !release.load()) std::this_thread::sleep_for(5ms);
        admin::ReadinessReport report;
        report.add("plugin:test", true);
        return report;
      },
      20ms, 200ms);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!monitor.current().ready() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(monitor.current().ready());

  hang.store(true);
  const int before = runs.load();
  while (runs.load() == before && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  // The check now hangs; asking must not wait for it, and past the bound it says not ready.
  const auto asked = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(300ms);
  const admin::ReadinessReport stuck = monitor.current();
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 1s);
  EXPECT_FALSE(stuck.ready());
  EXPECT_NE(stuck.to_json().find("have not answered"), std::string::npos) << stuck.to_json();

  release.store(true);
  while (!monitor.current().ready() && std::chrono::steady_clock::now() < deadline + 5s)
    std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(monitor.current().ready()) << "recovers once the check answers again";
}

// An admin server on a free loopback port whose liveness the test switches.
class LivenessServer {
 public:
  explicit LivenessServer(std::vector<std::string> health_paths = {}) {
    options_.port = static_cast<uint16_t>(streamhost::testing::free_loopback_port());
    options_.health_paths = std::move(health_paths);
    server_ = std::make_unique<admin::AdminServer>(
        options_, registry_, [] { return admin::ReadinessReport{}; }, nullptr);
    server_->set_liveness([this]() -> std::optional<std::string> {
      if (alive_.load()) return std::nullopt;
      return std::string("the pipeline failed: boom");
    });
    server_->start();
  }
  ~LivenessServer() { server_->stop(); }

  void fail() { alive_.store(false); }

  // Status and body of a GET.
  std::pair<int, std::string> get(const std::string& path) {
    web::http::client::http_client client("http://127.0.0.1:" + std::to_string(options_.port));
    auto response = client.request(web::http::methods::GET, path).get();
    return {response.status_code(), response.extract_string(true).get()};
  }

 private:
  metrics::Registry registry_;
  admin::AdminOptions options_;
  std::atomic<bool> alive_{true};
  std::unique_ptr<admin::AdminServer> server_;
};

TEST(AdminHealthz, Answers503WithTheReasonWhenNotAlive) {
  LivenessServer server;
  EXPECT_EQ(server.get("/healthz").first, 200);
  server.fail();
  const auto [status, body] = server.get("/healthz");
  EXPECT_EQ(status, 503);
  EXPECT_NE(body.find("the pipeline failed: boom"), std::string::npos) << body;
}

// admin.health_paths (the coupon manifest's /healthcheck): the same answer as /healthz, 503
// included, so a probe written for the original service sees a failed pipeline too.
TEST(AdminHealthz, HealthPathsAnswerExactlyLikeHealthz) {
  LivenessServer server({"/healthcheck"});
  EXPECT_EQ(server.get("/healthcheck"), server.get("/healthz"));
  EXPECT_EQ(server.get("/healthcheck").first, 200);
  server.fail();
  EXPECT_EQ(server.get("/healthcheck"), server.get("/healthz"));
  EXPECT_EQ(server.get("/healthcheck").first, 503);
  EXPECT_EQ(server.get("/health").first, 404) << "only the configured paths";
}

TEST(AdminHealthz, NoExtraHealthPathUnlessConfigured) {
  LivenessServer server;
  EXPECT_EQ(server.get("/healthz").first, 200);
  EXPECT_EQ(server.get("/healthcheck").first, 404);
}

}  // namespace
}  // namespace streamhost::host::testing
