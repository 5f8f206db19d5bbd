#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;  // NOLINT: POSIX declares it nowhere

namespace streamhost::e2e {
namespace {

// The test's environment with `overrides` applied, as NAME=value strings.
std::vector<std::string> merged_environment(const EnvOverrides& overrides) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (overrides.count(name) == 0) out.push_back(entry);
  }
  for (const auto& [name, value] : overrides) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

ChildProcess::ChildProcess(std::string name, const std::vector<std::string>& argv,
                           const EnvOverrides& env, std::string log_path)
    : name_(std::move(name)), log_path_(std::move(log_path)) {
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = merged_environment(env);
  auto arg_ptrs = pointers(args);
  auto env_ptrs = pointers(envs);

  // fork + exec rather than posix_spawn for one reason: PR_SET_PDEATHSIG, so a test runner that
  // kills this process on a timeout takes the children with it. Between fork and exec the child
  // (of a multi-threaded parent) calls only async-signal-safe functions; everything it needs is
  // prepared here.
  const pid_t parent = ::getpid();
  const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    throw std::runtime_error("cannot open " + log_path_ + ": " + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    // A signal mask or ignored SIGTERM inherited from the test runner would defeat terminate().
    for (int sig : {SIGTERM, SIGINT, SIGPIPE, SIGHUP}) ::signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // No core files: some children crash on purpose (CrashContainment), and writing a core of a
    // host process slows a loaded CI machine for nothing the test reads.
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(log_fd, STDOUT_FILENO) < 0 ||
        ::dup2(log_fd, STDERR_FILENO) < 0)
      ::_exit(127);
    ::execve(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    static const char kExecFailed[] = "exec failed\n";
    [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, kExecFailed, sizeof kExecFailed - 1);
    ::_exit(127);
  }
  ::close(log_fd);
  pid_ = pid;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_code_) kill_hard();
}

bool ChildProcess::reap(bool block) {
  if (pid_ <= 0 || exit_code_) return true;
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r != pid_) return false;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return true;
}

bool ChildProcess::running() {
  return !reap(false);
}

std::optional<int> ChildProcess::terminate(std::chrono::milliseconds limit) {
  if (!running()) return exit_code_;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (reap(false)) return exit_code_;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill_hard();
  return std::nullopt;
}

void ChildProcess::kill_hard() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  reap(true);
}

std::string ChildProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace streamhost::e2e
