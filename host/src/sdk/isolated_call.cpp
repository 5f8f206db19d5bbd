// PluginHarness::call_isolated: the handler call in a forked child, so a test can show that a
// record crashes the process (a segfault in native code) without the test crashing too.
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <streamhost/plugin_testing.hpp>
#include <string>

namespace streamhost::plugin::testing {
namespace {

// The child's result over a pipe: each field as <8-byte length><bytes>.
void put(std::string& out, const std::string& field) {
  const uint64_t n = field.size();
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  out += field;
}

bool take(const std::string& in, size_t& at, std::string& field) {
  uint64_t n = 0;
  if (in.size() - at < sizeof n) return false;
  memcpy(&n, in.data() + at, sizeof n);
  at += sizeof n;
  if (in.size() - at < n) return false;
  field.assign(in, at, n);
  at += n;
  return true;
}

std::string encode(const Result& r) {
  std::string out;
  put(out, std::to_string(static_cast<int>(r.status)));
  put(out, r.reason);
  put(out, std::to_string(r.emitted.size()));
  for (const Emitted& e : r.emitted) {
    put(out, e.topic);
    put(out, e.key ? "1" + *e.key : "0");
    put(out, e.value);
  }
  return out;
}

bool decode(const std::string& in, Result& r) {
  size_t at = 0;
  std::string status, count, key;
  if (!take(in, at, status) || !take(in, at, r.reason) || !take(in, at, count)) return false;
  r.status = static_cast<sh_status>(std::stoi(status));
  for (size_t i = 0, n = std::stoul(count); i < n; ++i) {
    Emitted e;
    if (!take(in, at, e.topic) || !take(in, at, key) || !take(in, at, e.value) || key.empty())
      return false;
    if (key[0] == '1') e.key = key.substr(1);
    r.emitted.push_back(std::move(e));
  }
  return true;
}

}  // namespace

Result PluginHarness::call_isolated(const std::string& handler, const Input& record) {
  int fds[2];
  if (pipe(fds) != 0) throw HarnessError("call_isolated: pipe() failed");
  const pid_t child = fork();
  if (child < 0) {
    close(fds[0]);
    close(fds[1]);
    throw HarnessError("call_isolated: fork() failed");
  }
  if (child == 0) {
    close(fds[0]);
    std::string bytes;
    try {
      bytes = encode(call(handler, record));
    } catch (...) {
      _exit(2);
    }
    for (size_t at = 0; at < bytes.size();) {
      const ssize_t n = write(fds[1], bytes.data() + at, bytes.size() - at);
      if (n <= 0) _exit(3);
      at += static_cast<size_t>(n);
    }
    _exit(0);  // no destructors, no atexit: the parent owns the instance
  }
  close(fds[1]);
  std::string bytes;
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    bytes.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  Result result;
  if (WIFSIGNALED(status)) {
    result.status = SH_STATUS_FATAL;
    result.crash_signal = WTERMSIG(status);
    result.reason = std::string("the handler crashed the process with signal ") +
                    std::to_string(*result.crash_signal) + " (" + strsignal(*result.crash_signal) +
                    ")";
    return result;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !decode(bytes, result)) {
    throw HarnessError("call_isolated: the child process failed without a signal (exit " +
                       std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  }
  return result;
}

}  // namespace streamhost::plugin::testing
