#include "runtime/plugin_host_services.hpp"

#include <chrono>

#include "runtime/log.hpp"

namespace streamhost::host::runtime {
namespace {

using Context = PluginHostServices::PluginContext;

// A plugin's metric name without a unit suffix it may have added itself.
std::string base_name(const char* raw) {
  std::string name = metrics::sanitize_metric_name(raw ? raw : "unnamed");
  for (const std::string suffix : {"_seconds", "_total"}) {
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      name.resize(name.size() - suffix.size());
    }
  }
  return name;
}

template <typename Metric, typename Create>
Metric& cached(Context& ctx, std::map<std::string, Metric*>& cache, const char* raw,
               Create create) {
  std::string key = raw ? raw : "";
  {
    std::shared_lock lock(ctx.mutex);
    auto it = cache.find(key);
    if (it != cache.end()) return *it->second;
  }
  Metric& metric = create(base_name(raw));
  std::unique_lock lock(ctx.mutex);
  cache.emplace(key, &metric);
  return metric;
}

extern "C" void plugin_log(void* host_ctx, sh_log_level level, const char* message) {
  try {
    auto* ctx = static_cast<Context*>(host_ctx);
    log::Level l = level == SH_LOG_DEBUG   ? log::Level::kDebug
                   : level == SH_LOG_WARN  ? log::Level::kWarn
                   : level == SH_LOG_ERROR ? log::Level::kError
                                           : log::Level::kInfo;
    log::write(l, "plugin", message ? message : "", {{"plugin", ctx->name}});
  } catch (...) {
    // Logging must never throw into a plugin.
  }
}

extern "C" void plugin_observe_seconds(void* host_ctx, const char* histogram, double seconds) {
  try {
    auto* ctx = static_cast<Context*>(host_ctx);
    cached(*ctx, ctx->histograms, histogram, [&](const std::string& name) -> metrics::Histogram& {
      return ctx->registry->histogram("streamhost_plugin_" + name + "_seconds",
                                      "Duration reported by a plugin", {{"plugin", ctx->name}});
    }).observe(seconds);
  } catch (...) {
  }
}

extern "C" void plugin_count(void* host_ctx, const char* counter, uint64_t delta) {
  try {
    auto* ctx = static_cast<Context*>(host_ctx);
    cached(*ctx, ctx->counters, counter, [&](const std::string& name) -> metrics::Counter& {
      return ctx->registry->counter("streamhost_plugin_" + name + "_total",
                                    "Count reported by a plugin", {{"plugin", ctx->name}});
    }).inc(delta);
  } catch (...) {
  }
}

extern "C" int64_t plugin_monotonic_ns(void*) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

const sh_host_api* PluginHostServices::api_for(const std::string& plugin_name) {
  std::lock_guard lock(mutex_);
  auto& slot = contexts_[plugin_name];
  if (!slot) {
    slot = std::make_unique<PluginContext>();
    slot->name = plugin_name;
    slot->registry = &registry_;
    slot->api = sh_host_api{.struct_size = sizeof(sh_host_api),
                            .host_ctx = slot.get(),
                            .log = &plugin_log,
                            .observe_seconds = &plugin_observe_seconds,
                            .count = &plugin_count,
                            .monotonic_ns = &plugin_monotonic_ns};
  }
  return &slot->api;
}

}  // namespace streamhost::host::runtime
