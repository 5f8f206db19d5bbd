#include "e2e_support.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <stdexcept>
#include <streamhost/connector/rest_proxy.hpp>
#include <thread>

namespace streamhost::e2e {

bool read_stack_env(EnvOverrides& out) {
  // What `manifests/local/stack env` exports and the pipelines read.
  static const char* kRequired[] = {"STREAMHOST_REST_PROXY_URL",
                                    "STREAMHOST_REST_PROXY_DIALECT",
                                    "DB_HOST",
                                    "DB_PORT",
                                    "DB_NAME",
                                    "DB_USER",
                                    "DB_PASSWORD"};
  for (const char* name : kRequired) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
      ADD_FAILURE() << name << " is not set: run `manifests/local/stack up` and "
                    << "`eval \"$(manifests/local/stack env)\"` first";
      return false;
    }
    out[name] = value;
  }
  return true;
}

std::string unique(const std::string& prefix) {
  static std::mt19937_64 rng{std::random_device{}()};
  static const char kHex[] = "0123456789abcdef";
  std::string out = prefix + "-";
  for (int i = 0; i < 10; ++i) out += kHex[rng() % 16];
  return out;
}

std::string make_log_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "streamhost-e2e-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds limit,
              std::chrono::milliseconds every) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

void ProcessTest::SetUp() {
  // Test-side HTTP (admin probes, the checking consumer, the producer) shares cpprestsdk's pool;
  // the first call sizes it.
  connector::init_http_threads(4);
  log_dir_ = make_log_dir();
  read_stack_env(stack_env_);
}

void ProcessTest::TearDown() {
  for (auto& p : processes_) p->kill_hard();
  if (HasFailure()) {
    for (auto& p : processes_) {
      std::cerr << "----- log of " << p->name() << " (pid " << p->pid() << ", " << p->log_path()
                << ") -----\n"
                << p->log() << "----- end of " << p->name() << " -----\n";
    }
    std::cerr << "logs kept in " << log_dir_ << "\n";
  } else if (std::getenv("STREAMHOST_E2E_KEEP_LOGS") != nullptr) {
    std::cout << "logs kept in " << log_dir_ << "\n";
  } else {
    std::error_code ignored;
    std::filesystem::remove_all(log_dir_, ignored);
  }
}

ChildProcess& ProcessTest::start_streamhost(const std::string& label, const std::string& manifest,
                                            const EnvOverrides& env) {
  EnvOverrides all = stack_env_;
  // Each process is a replica of its own: its stable consumer instance name comes from HOSTNAME,
  // and processes on one machine must not share one (a test may still set it to play a restart).
  all["HOSTNAME"] = "e2e-" + label;
  for (const auto& [k, v] : env) all[k] = v;
  processes_.push_back(std::make_unique<ChildProcess>(
      label, std::vector<std::string>{Built::streamhost(), "run", "-f", manifest}, all,
      log_dir_ + "/" + label + ".log"));
  return *processes_.back();
}

ChildProcess& ProcessTest::start_scorer(const std::string& label, int port) {
  processes_.push_back(std::make_unique<ChildProcess>(
      label,
      std::vector<std::string>{Built::coupon_scorer(), "--listen", "127.0.0.1", "--port",
                               std::to_string(port), "--model",
                               Built::repo("plugin/coupon/model/model.json")},
      EnvOverrides{}, log_dir_ + "/" + label + ".log"));
  return *processes_.back();
}

void ProcessTest::expect_graceful_stop(ChildProcess& p) {
  const auto code = p.terminate(std::chrono::seconds(60));
  ASSERT_TRUE(code.has_value()) << p.name() << " did not stop within 60 s of SIGTERM";
  EXPECT_EQ(*code, 0) << p.name() << " exited with " << *code << " after SIGTERM";
}

}  // namespace streamhost::e2e
