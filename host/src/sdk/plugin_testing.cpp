// The SDK's test harness over the host's own loader and boundary call (plugin/*): nothing here
// re-implements how the host loads or calls a plugin.
#include <atomic>
#include <map>
#include <mutex>
#include <streamhost/plugin_testing.hpp>

#include "plugin/handler_boundary.hpp"
#include "plugin/loader.hpp"
#include "plugin/partition_hooks.hpp"

namespace streamhost::plugin::testing {

// The harness's host services: they record what the plugin logs and measures, and give it a fake
// clock.
struct PluginHarness::State final : host::HostServices {
  const sh_host_api* api_for(const std::string&) override { return &api; }

  static State& of(void* ctx) { return *static_cast<State*>(ctx); }
  static void log(void* ctx, sh_log_level, const char* message) {
    std::lock_guard lock(of(ctx).mutex);
    of(ctx).log_lines.emplace_back(message ? message : "");
  }
  static void observe(void* ctx, const char* name, double) {
    std::lock_guard lock(of(ctx).mutex);
    ++of(ctx).histograms[name ? name : ""];
  }
  static void count(void* ctx, const char* name, uint64_t delta) {
    std::lock_guard lock(of(ctx).mutex);
    of(ctx).counters[name ? name : ""] += delta;
  }
  static int64_t now(void* ctx) { return of(ctx).now_ns.load(); }

  mutable std::mutex mutex;
  std::vector<std::string> log_lines;
  std::map<std::string, size_t> histograms;
  std::map<std::string, uint64_t> counters;
  std::atomic<int64_t> now_ns{1'000'000'000};  // an arbitrary origin, as the real clock has
  const sh_host_api api{.struct_size = sizeof(sh_host_api),
                        .host_ctx = this,
                        .log = &log,
                        .observe_seconds = &observe,
                        .count = &count,
                        .monotonic_ns = &now};

  host::PluginLibrary library;
  std::string name;  // the descriptor's: the harness's manifest name for the plugin
  std::optional<std::string> output_topic = "output";
  std::unique_ptr<host::PluginInstance> instance;  // last: destroyed before the services
};

PluginHarness::PluginHarness(const std::string& library_path) : state_(std::make_unique<State>()) {
  try {
    state_->library = host::load_plugin_library(library_path);
  } catch (const host::PluginError& e) {
    throw HarnessError(e.what());
  }
  state_->name = state_->library.descriptor->name;
}

PluginHarness::~PluginHarness() = default;

PluginHarness& PluginHarness::configure(std::string_view config_json) {
  state_->instance.reset();
  try {
    std::string checked =
        host::validate_plugin_config(state_->library, state_->name, std::string(config_json));
    state_->instance =
        host::create_plugin_instance(state_->library, state_->name, checked, *state_);
  } catch (const host::PluginError& e) {
    throw HarnessError(e.what());
  }
  return *this;
}

std::string PluginHarness::config_error(std::string_view config_json) const {
  try {
    host::validate_plugin_config(state_->library, state_->name, std::string(config_json));
  } catch (const host::PluginError& e) {
    return e.what();
  }
  return "";
}

PluginHarness& PluginHarness::output_topic(std::optional<std::string> topic) {
  state_->output_topic = std::move(topic);
  return *this;
}

Result PluginHarness::call(const std::string& handler, const Input& input) {
  if (!state_->instance) throw HarnessError("call(\"" + handler + "\") before configure()");
  const sh_handler_def* def = state_->instance->find_handler(handler);
  if (def == nullptr) {
    try {
      host::find_handler_or_throw(state_->library.handlers, state_->name, handler);
    } catch (const host::PluginError& e) {
      throw HarnessError(e.what());
    }
  }
  connector::ConsumedRecord record;
  record.topic = input.topic;
  record.partition = input.partition;
  record.offset = input.offset;
  record.key = input.key;
  record.value = input.value;
  record.timestamp_ms = input.timestamp_ms;
  for (const auto& [k, v] : input.headers) record.headers.push_back({k, v});
  host::HandlerResult raw = host::call_plugin_handler(
      host::HandlerTarget{def, state_->instance->instance(), &state_->output_topic, &state_->name,
                          state_->library.descriptor->abi_minor},
      record);
  Result result{raw.status, std::move(raw.reason), {}};
  for (auto& out : raw.outputs) {
    result.emitted.push_back({std::move(out.topic), std::move(out.key), std::move(out.value)});
  }
  return result;
}

void PluginHarness::partition_hook(bool assigned, const std::vector<PartitionId>& partitions) {
  if (!state_->instance) throw HarnessError("a partition hook before configure()");
  std::vector<connector::TopicPartition> parts;
  for (const auto& p : partitions) parts.push_back({p.topic, p.partition});
  if (auto failed = host::call_partition_hook(
          *state_->instance,
          assigned ? host::PartitionHook::kAssigned : host::PartitionHook::kRevoked, parts)) {
    throw HarnessError(*failed);
  }
}

void PluginHarness::assign(const std::vector<PartitionId>& partitions) {
  partition_hook(true, partitions);
}

void PluginHarness::revoke(const std::vector<PartitionId>& partitions) {
  partition_hook(false, partitions);
}

Result PluginHarness::call(const std::string& handler, std::string value,
                           std::optional<std::string> key) {
  Input input;
  input.value = std::move(value);
  input.key = std::move(key);
  return call(handler, input);
}

bool PluginHarness::ready(std::string& why) const {
  if (!state_->instance) throw HarnessError("ready() before configure()");
  return state_->instance->ready(why);
}

std::vector<std::string> PluginHarness::logs() const {
  std::lock_guard lock(state_->mutex);
  return state_->log_lines;
}

uint64_t PluginHarness::counter(const std::string& name) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->counters.find(name);
  return it == state_->counters.end() ? 0 : it->second;
}

size_t PluginHarness::observations(const std::string& histogram) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->histograms.find(histogram);
  return it == state_->histograms.end() ? 0 : it->second;
}

void PluginHarness::advance_clock(std::chrono::nanoseconds by) {
  state_->now_ns.fetch_add(by.count());
}

std::chrono::nanoseconds PluginHarness::clock() const {
  return std::chrono::nanoseconds(state_->now_ns.load());
}

uint32_t PluginHarness::emits(const std::string& handler) const {
  try {
    return host::find_handler_or_throw(state_->library.handlers, state_->name, handler).emits;
  } catch (const host::PluginError& e) {
    throw HarnessError(e.what());
  }
}

const sh_plugin_descriptor& PluginHarness::descriptor() const {
  return *state_->library.descriptor;
}

}  // namespace streamhost::plugin::testing
