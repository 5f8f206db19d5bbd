// What the end-to-end tests share: where the built binaries are, the stack's endpoints, free
// loopback ports, unique names, per-test log folders, and waiting on a condition with a deadline.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <streamhost/testing/free_port.hpp>
#include <string>

#include "child_process.hpp"

namespace streamhost::e2e {

// Paths fixed at build time (compile definitions from tests/e2e/CMakeLists.txt).
struct Built {
  static std::string streamhost() { return STREAMHOST_BIN; }
  static std::string coupon_scorer() { return COUPON_SCORER_BIN; }
  static std::string coupon_plugin_dir() { return folder_of(COUPON_PLUGIN); }
  static std::string field_mapper_plugin_dir() { return folder_of(FIELD_MAPPER_PLUGIN); }
  static std::string repo(const std::string& relative) {
    return std::string(STREAMHOST_REPO_ROOT) + "/" + relative;
  }

 private:
  static std::string folder_of(const std::string& path) {
    return path.substr(0, path.find_last_of('/'));
  }
};

// The stack's variables every pipeline needs. Fails the test (never skips) naming the command that
// fixes it when one is missing; returns false then.
bool read_stack_env(EnvOverrides& out);

// A loopback port nobody listens on right now (bound to port 0, then released).
inline int free_port() {
  return ::streamhost::testing::free_loopback_port();
}

// `prefix-<random hex>`: topic, group and schema names private to one test run.
std::string unique(const std::string& prefix);

// A fresh folder for one test's process logs, removed by the fixture when the test passed.
std::string make_log_dir();

// Polls `condition` every `every` until it holds or `limit` passed. Returns whether it held.
// Deadlines here bound a broken pipeline; they never assert speed.
bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds limit,
              std::chrono::milliseconds every = std::chrono::milliseconds(200));

// Base fixture: starts child processes, prints their logs when the test failed, and stops whatever
// still runs at the end.
class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // `streamhost run -f <manifest>` with the stack's environment plus `env`.
  ChildProcess& start_streamhost(const std::string& label, const std::string& manifest,
                                 const EnvOverrides& env);
  ChildProcess& start_scorer(const std::string& label, int port);

  // Stops `p` with SIGTERM and expects exit code 0.
  void expect_graceful_stop(ChildProcess& p);

  EnvOverrides stack_env_;
  std::string log_dir_;

 private:
  std::vector<std::unique_ptr<ChildProcess>> processes_;
};

}  // namespace streamhost::e2e
