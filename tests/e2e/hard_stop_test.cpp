// A stop that cannot finish: a handler that never returns holds the stop (SIGTERM) forever. The
// host must end anyway, with exit code 1, once shutdown_timeout_ms plus 5 s passed, so that a
// supervisor replaces it. Testing mode without Kafka: the handler is reached through inject.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <future>

#include "admin_probe.hpp"
#include "e2e_support.hpp"

namespace streamhost::e2e {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class HardStop : public ProcessTest {};

TEST_F(HardStop, AStopHeldByAHandlerThatNeverReturnsEndsTheProcessAfterTheShutdownTimeout) {
  ASSERT_FALSE(HasFailure());
  const int port = free_port();
  const std::string manifest = log_dir_ + "/stuck.yaml";
  std::ofstream(manifest) << "pipeline: stuck\n"
                             "rest_proxy: {url: http://127.0.0.1:"
                          << free_port()
                          << "}\n"
                             "consumer: {group: stuck}\n"
                             "plugins: {stuck: {library: " STUCK_PLUGIN
                             "}}\n"
                             "routes: [{name: in, topic: stuck-in, handler: stuck/forever}]\n"
                             "dead_letter_topic: stuck-dlq\n"
                             "admin: {port: "
                          << port
                          << "}\n"
                             "testing: true\n"
                             "testing_without_kafka: true\n"
                             "shutdown_timeout_ms: 1000\n";
  ChildProcess& host = start_streamhost("stuck", manifest, {});
  AdminProbe admin(port);
  ASSERT_TRUE(wait_for([&] { return admin.ready() || !host.running(); }, 60s));
  ASSERT_TRUE(host.running());

  // Never answered: the call ends when the process does (or after the client's 10 s).
  auto call =
      std::async(std::launch::async, [port] { http_call(port, "POST", "/inject/in", "{}"); });
  ASSERT_TRUE(
      wait_for([&] { return host.log().find("will never return") != std::string::npos; }, 30s));

  const auto stopping = std::chrono::steady_clock::now();
  const std::optional<int> code = host.terminate(60s);
  const auto took = std::chrono::steady_clock::now() - stopping;
  ASSERT_TRUE(code.has_value()) << "still running 60 s after SIGTERM (killed)";
  EXPECT_EQ(*code, 1);
  EXPECT_THAT(host.log(), HasSubstr("stop overran shutdown_timeout by 5 s; exiting now"));
  // Not before the deadline: the stop was given its shutdown_timeout plus 5 s.
  EXPECT_GE(took, 6s);
  RecordProperty(
      "exit_after_sigterm_ms",
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
}

}  // namespace
}  // namespace streamhost::e2e
