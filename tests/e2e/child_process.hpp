// A child process for end-to-end tests: the real binaries (`streamhost`, `coupon-scorer`) started
// with fork/exec, their own environment, stdout and stderr captured to a log file, and stopped
// the way an operator stops them (SIGTERM), so a test can assert the exit code.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace streamhost::e2e {

// Variables to set (or override) on top of the test's own environment.
using EnvOverrides = std::map<std::string, std::string>;

class ChildProcess {
 public:
  // Starts `argv[0]` with `argv`, the test's environment plus `env`, output into `log_path`.
  // Throws std::runtime_error when the process cannot be started.
  ChildProcess(std::string name, const std::vector<std::string>& argv, const EnvOverrides& env,
               std::string log_path);
  // Kills the process (SIGKILL) if it still runs, so a failing test never leaks a child.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  const std::string& name() const { return name_; }
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // True while the process has not exited (reaps it when it has).
  bool running();
  // The exit code once the process has exited normally; -signal when a signal ended it.
  std::optional<int> exit_code() const { return exit_code_; }

  // Sends SIGTERM and waits up to `limit` for the exit. Returns the exit code (-signal when killed
  // by a signal), or nullopt when it did not stop in time (it is then killed with SIGKILL).
  std::optional<int> terminate(std::chrono::milliseconds limit = std::chrono::seconds(60));
  // SIGKILL and reap: an abrupt crash.
  void kill_hard();

  // The whole log so far.
  std::string log() const;

 private:
  bool reap(bool block);

  std::string name_;
  std::string log_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace streamhost::e2e
