// The plugin author's test harness: runs a plugin library the way `streamhost run` does, with no
// Kafka. It loads the .so through the host's own loader (every check the host makes), validates a
// config against the plugin's schema and config check, creates the instance with recording host
// services and a fake clock, and calls handlers through the host's own boundary code: an emit the
// host would refuse is refused here too.
//
//   streamhost::plugin::testing::PluginHarness plugin(STREAMHOST_PLUGIN_PATH);
//   plugin.configure(R"({"suffix": "!"})");
//   auto r = plugin.call("map", R"({"id": 1})", "key-1");
//   // r.status, r.reason, r.emitted[i].topic / .key / .value
//
// Link streamhost::plugin_testing (from find_package(streamhost)); streamhost_add_plugin_test()
// does it and passes the plugin's path as STREAMHOST_PLUGIN_PATH. Unlike the plugin, the harness is
// C++ compiled into the SDK: build the test with the compiler family the SDK was built with.
#pragma once

#include <streamhost/plugin_api.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace streamhost::plugin::testing {

// One record a handler emitted, as the host would produce it.
struct Emitted {
  std::string topic;  // resolved: the route's output topic, or the topic the handler named
  std::optional<std::string> key;
  std::string value;
};

// A handler call's outcome. Outputs of a non-OK call are discarded, as in the host.
struct Result {
  sh_status status = SH_STATUS_OK;
  std::string reason;
  std::vector<Emitted> emitted;
  // call_isolated() only: the signal that ended the child process (SIGSEGV, SIGABRT, ...); the
  // status is then FATAL and the reason names the signal.
  std::optional<int> crash_signal;
  bool ok() const { return status == SH_STATUS_OK; }
};

// A record to feed a handler; everything but the value has a default.
struct Input {
  std::string value;
  std::optional<std::string> key;  // nullopt: a null key
  std::string topic = "input";
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A partition of a route's source topic, for the partition hooks.
struct PartitionId {
  std::string topic = "input";
  int32_t partition = 0;
};

// What the loader, the config check or instance creation refused, with the host's own message.
class HarnessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PluginHarness {
 public:
  // Loads the library through the host's loader. Throws HarnessError ("<path>: <what is wrong>").
  explicit PluginHarness(const std::string& library_path);
  ~PluginHarness();
  PluginHarness(const PluginHarness&) = delete;
  PluginHarness& operator=(const PluginHarness&) = delete;

  // Checks `config_json` against the plugin's schema and config_check, converted as the host does,
  // then creates the instance (replacing one created before). Throws HarnessError with the host's
  // message ("plugins.<name>.config: ..." or "plugin ...: instance_create failed: ...").
  PluginHarness& configure(std::string_view config_json = "{}");
  // What configure() would refuse `config_json` with; empty when the config is valid.
  std::string config_error(std::string_view config_json) const;

  // The output topic of the route the harness pretends to serve: "output" unless set; nullopt
  // behaves like a route without output_topic.
  PluginHarness& output_topic(std::optional<std::string> topic);

  // Calls a handler of the configured instance on the calling thread. Throws HarnessError when
  // there is no instance or no such handler.
  Result call(const std::string& handler, const Input& record);
  Result call(const std::string& handler, std::string value,
              std::optional<std::string> key = std::nullopt);

  // The partition hooks (ABI 1.3) as the runtime calls them: assign() before the first record of
  // a partition, revoke() when it leaves. A test plays a rebalance by revoking a partition from
  // one harness and assigning it to another. Nothing happens for a plugin without the hook;
  // HarnessError with the plugin's reason when the hook fails (the runtime stops as FATAL).
  void assign(const std::vector<PartitionId>& partitions);
  void revoke(const std::vector<PartitionId>& partitions);

  // call() in a forked child process, so a handler that crashes the process (a segfault in
  // native code) is reported as a result, with crash_signal set, instead of ending the test. What
  // the child logs, counts or changes in the instance stays in the child. POSIX only.
  Result call_isolated(const std::string& handler, const Input& record);

  // The instance's readiness check (/readyz); true when it has none.
  bool ready(std::string& why) const;

  // What the plugin reported through the host services.
  std::vector<std::string> logs() const;
  uint64_t counter(const std::string& name) const;
  size_t observations(const std::string& histogram) const;

  // The fake monotonic clock the plugin sees through Host::monotonic(); it only moves here.
  void advance_clock(std::chrono::nanoseconds by);
  std::chrono::nanoseconds clock() const;

  // Where each handler emits (sh_emits), by handler name; HarnessError for an unknown handler.
  uint32_t emits(const std::string& handler) const;
  const sh_plugin_descriptor& descriptor() const;

 private:
  void partition_hook(bool assigned, const std::vector<PartitionId>& partitions);
  struct State;
  std::unique_ptr<State> state_;
};

// A minimal check list for tests that need no test framework (the `plugins new` template uses it):
// each failed check prints one line; exit_code() is what main returns.
class Checks {
 public:
  template <typename A, typename B>
  void equal(const A& actual, const B& expected, std::string_view what) {
    if (actual == expected) return;
    ++failures_;
    std::cerr << "FAILED: " << what << "\n  actual:   " << printable(actual)
              << "\n  expected: " << printable(expected) << "\n";
  }
  void is_true(bool condition, std::string_view what) { equal(condition, true, what); }
  int exit_code() const {
    if (failures_ == 0) std::cout << "all checks passed\n";
    return failures_ == 0 ? 0 : 1;
  }

  // How a value reads in a failure: strings quoted, an optional's value or nullopt, a status by
  // name; anything else streamable as itself.
  template <typename T>
  static std::string printable(const T& v) {
    if constexpr (std::is_same_v<T, sh_status>) {
      return sh_status_name(v);
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      return "\"" + std::string(std::string_view(v)) + "\"";
    } else if constexpr (requires {
                           v.has_value();
                           *v;
                         }) {
      return v.has_value() ? printable(*v) : "nullopt";
    } else if constexpr (std::is_same_v<T, bool>) {
      return v ? "true" : "false";
    } else if constexpr (requires(std::ostream & os) { os << v; }) {
      std::ostringstream os;
      os << v;
      return os.str();
    } else {
      return "(a value that cannot be printed)";
    }
  }

 private:
  int failures_ = 0;
};

}  // namespace streamhost::plugin::testing
