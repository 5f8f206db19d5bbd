#include "app/run_pipeline.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <streamhost/connector/rest_proxy.hpp>
#include <string>
#include <thread>

#include "admin/admin_server.hpp"
#include "admin/admin_token.hpp"
#include "admin/config_redaction.hpp"
#include "admin/lag_monitor.hpp"
#include "admin/management_api.hpp"
#include "admin/readiness_monitor.hpp"
#include "connection/connector_options.hpp"
#include "manifest/plugin_set.hpp"
#include "manifest/security_warnings.hpp"
#include "metrics/connector_stats.hpp"
#include "metrics/registry.hpp"
#include "runtime/crash_journal.hpp"
#include "runtime/inject.hpp"
#include "runtime/liveness.hpp"
#include "runtime/log.hpp"
#include "runtime/pipeline.hpp"
#include "runtime/plugin_host_services.hpp"
#include "runtime/stop_signal.hpp"

namespace streamhost::host {
namespace {

// Readiness is re-checked this often off the HTTP pool; a check running longer is reported stuck.
constexpr std::chrono::milliseconds kReadinessPeriod{1000};
constexpr std::chrono::milliseconds kReadinessStaleAfter{10000};

std::vector<runtime::Route> build_routes(const Manifest& manifest, const PluginSet& plugins) {
  std::vector<runtime::Route> routes;
  for (size_t i = 0; i < manifest.routes.size(); ++i) {
    const auto& spec = manifest.routes[i];
    routes.push_back({spec.name, spec.source_topic, spec.output_topic, plugins.route_handlers[i],
                      spec.max_attempts});
  }
  return routes;
}

void add_plugin_checks(admin::ReadinessReport& report, const PluginSet& plugins) {
  for (const auto& p : plugins.instances) {
    std::string why;
    bool ok = p->ready(why);
    report.add("plugin:" + p->name(), ok, why);
  }
}

admin::AdminOptions admin_options(const Manifest& m, bool testing,
                                  const std::optional<std::string>& token) {
  admin::HttpLimits limits;
  limits.max_header_bytes = m.admin.max_header_bytes;
  limits.max_body_bytes = m.admin.max_body_bytes;
  limits.idle_timeout = m.admin.idle_timeout;
  limits.request_timeout = m.admin.request_timeout;
  limits.max_connections = m.admin.max_connections;
  return {m.admin.bind,         m.admin.port, testing, m.admin.aliases,
          m.admin.health_paths, token,        limits};
}

admin::PipelineInfo pipeline_info(const Manifest& m, const PluginSet& plugins,
                                  std::chrono::steady_clock::time_point started_at) {
  admin::PipelineInfo info;
  info.name = m.name;
  info.workers = m.workers;
  info.started_at = started_at;
  for (const RouteSpec& r : m.routes) {
    info.routes.push_back({r.name, r.source_topic, r.plugin + "/" + r.handler, r.output_topic});
  }
  for (size_t i = 0; i < plugins.instances.size(); ++i) {
    const sh_plugin_descriptor& d = plugins.instances[i]->descriptor();
    info.plugins.push_back({plugins.instances[i]->name(), d.name ? d.name : "",
                            d.version ? d.version : "",
                            std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor),
                            i < m.plugins.size() ? m.plugins[i].library : ""});
  }
  info.redacted_config_json = admin::redact_config(m.effective_json);
  return info;
}

// The last resort once a stop has begun: ends the process with exit code 1 if it still runs
// shutdown_timeout plus 5 s later, whatever holds it (a handler that never returns, a plugin's
// destructor, a dependency that never answers), so a stuck process is always replaced. Armed
// once; a process that ends in time ends its thread with it.
// When the armed exit deadline falls (steady clock ticks; 0: not armed).
std::atomic<std::chrono::steady_clock::rep> exit_deadline{0};

void arm_exit_deadline(std::chrono::milliseconds shutdown_timeout) {
  static std::once_flag armed;
  std::call_once(armed, [shutdown_timeout] {
    const auto deadline =
        std::chrono::steady_clock::now() + shutdown_timeout + std::chrono::seconds(5);
    exit_deadline.store(deadline.time_since_epoch().count());
    std::thread([deadline] {
      std::this_thread::sleep_until(deadline);
      log::error("runtime", "stop overran shutdown_timeout by 5 s; exiting now");
      std::_Exit(1);
    }).detach();
  });
}

// Waits for SIGTERM/SIGINT, a FATAL (`failed`) or the end of its scope; on a signal asks `stop`.
// The stop begins with any of the three, and so does the exit deadline, which also covers what
// follows the scope: stopping the admin endpoint, deleting the consumer, destroying plugins.
class SignalWatcher {
 public:
  SignalWatcher(
      std::function<void()> stop, std::chrono::milliseconds shutdown_timeout,
      std::function<bool()> failed = [] { return false; })
      : shutdown_timeout_(shutdown_timeout),
        thread_([this, stop = std::move(stop), failed = std::move(failed)] {
          while (!done_.load() && !runtime::stop_signal_received() && !failed()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          }
          if (done_.load()) return;
          arm_exit_deadline(shutdown_timeout_);
          if (runtime::stop_signal_received()) {
            log::info("runtime", "stop signal received; shutting down gracefully");
            stop();
          }
        }) {}
  ~SignalWatcher() {
    arm_exit_deadline(shutdown_timeout_);
    done_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::chrono::milliseconds shutdown_timeout_;
  std::thread thread_;
};

// After a failure, keeps the process (and its /metrics, state FAILED with the reason) up for
// `hold`, so Prometheus scrapes the failure before the restart: a process that exits milliseconds
// after a FATAL is never seen by a 15 s scrape, and StreamhostPipelineFailed could not fire. A
// stop signal ends the hold, and it ends a second before the exit deadline at the latest.
void hold_failed_state(std::chrono::milliseconds hold) {
  if (hold <= std::chrono::milliseconds(0)) return;
  auto until = std::chrono::steady_clock::now() + hold;
  if (const auto armed = exit_deadline.load(); armed != 0) {
    const auto deadline =
        std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(armed)) -
        std::chrono::seconds(1);
    until = std::min(until, deadline);
  }
  log::info("runtime",
            "keeping state FAILED on /metrics before exiting, so the failure is scraped "
            "(admin.failed_hold_ms; a stop signal ends it)",
            {{"hold_ms", std::to_string(hold.count())}});
  while (std::chrono::steady_clock::now() < until && !runtime::stop_signal_received()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

int run_without_kafka(const Manifest& manifest, metrics::Registry& registry,
                      const PluginSet& plugins, const std::vector<runtime::Route>& routes,
                      const std::optional<std::string>& token) {
  runtime::Injector injector(routes);
  admin::ReadinessMonitor readiness(
      [&] {
        admin::ReadinessReport report;
        add_plugin_checks(report, plugins);
        return report;
      },
      kReadinessPeriod, kReadinessStaleAfter);
  admin::install_readiness_metrics(registry, readiness);
  admin::AdminServer server(
      admin_options(manifest, true, token), registry, [&] { return readiness.current(); },
      &injector);
  server.start();
  log::info("runtime", "testing mode without Kafka: records arrive only through inject");
  std::atomic<bool> stop{false};
  {
    SignalWatcher watcher([&] { stop.store(true); }, manifest.shutdown_timeout);
    while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  server.stop();
  log::info("runtime", "stopped");
  return 0;
}

int run_with_kafka(const Manifest& manifest, metrics::Registry& registry, const PluginSet& plugins,
                   const std::vector<runtime::Route>& routes,
                   const std::optional<std::string>& token,
                   std::chrono::steady_clock::time_point started_at) {
  // Crash containment: what earlier runs' crashes left is read before anything connects, and the
  // journal outlives the pipeline whose workers publish in it.
  std::unique_ptr<runtime::CrashJournal> crashes;
  if (!manifest.state_dir.empty()) {
    crashes = std::make_unique<runtime::CrashJournal>(manifest.state_dir, manifest.max_crashes,
                                                      manifest.workers);
  }
  const ConnectorOptions kafka = connector_options(manifest);
  auto source = connector::make_rest_proxy_source(kafka.proxy, kafka.consumer);
  auto sink = connector::make_rest_proxy_sink(kafka.proxy, kafka.consumer.format);
  metrics::mirror_connector_stats(registry, "source", [&] { return source->stats(); });
  metrics::mirror_connector_stats(registry, "sink", [&] { return sink->stats(); });

  runtime::PipelineOptions options = runtime::pipeline_options(manifest);
  options.crash_journal = crashes.get();
  runtime::Pipeline pipeline(*source, *sink, routes, options, registry);
  if (crashes) crashes->install_signal_handlers();

  runtime::Injector injector(routes);
  std::string source_warning;  // the last one logged; touched only by the readiness thread
  std::unique_ptr<admin::ReadinessMonitor> readiness;
  std::unique_ptr<admin::LagMonitor> lag;
  std::unique_ptr<admin::ManagementApi> management;
  std::unique_ptr<admin::AdminServer> server;
  if (manifest.admin.enabled) {
    // Log-end offsets over clients of their own, on the lag monitor's thread.
    std::shared_ptr<connector::LogOffsetsReader> offsets =
        connector::make_rest_proxy_log_offsets_reader(kafka.proxy, manifest.admin.lag_timeout);
    lag = std::make_unique<admin::LagMonitor>(
        [&pipeline] {
          std::vector<connector::TopicPartition> held;
          for (const auto& p : pipeline.status().partitions) held.push_back(p.partition);
          return held;
        },
        [offsets](const connector::TopicPartition& tp) { return offsets->read(tp); },
        manifest.admin.lag_interval);
    management = std::make_unique<admin::ManagementApi>(
        pipeline_info(manifest, plugins, started_at),
        admin::PipelineAccess{
            [&pipeline] { return pipeline.status(); }, [&lag] { return lag->current(); },
            [&pipeline](const std::optional<std::string>& r) { return pipeline.pause(r); },
            [&pipeline](const std::optional<std::string>& r) { return pipeline.resume(r); }});
    management->install_metrics(registry);
    readiness = std::make_unique<admin::ReadinessMonitor>(
        [&] {
          admin::ReadinessReport report;
          auto source_stats = source->stats();
          if (!source_stats.warning.empty() && source_stats.warning != source_warning) {
            source_warning = source_stats.warning;
            log::warn("source", source_warning);
          }
          auto health = pipeline.health();
          const bool stalled = !health.stalled_call.empty();
          bool source_ok = source_stats.reachable && health.source_ok && !stalled;
          report.add("source", source_ok,
                     stalled ? runtime::stall_reason(health.stalled_call, health.stalled_for)
                     : !health.source_ok ? health.source_error
                                         : source_stats.last_error);
          auto sink_stats = sink->stats();
          report.add("sink", sink_stats.reachable, sink_stats.last_error);
          report.add("pipeline", health.running, health.running ? "" : "not running");
          add_plugin_checks(report, plugins);
          return report;
        },
        kReadinessPeriod, kReadinessStaleAfter);
    admin::install_readiness_metrics(registry, *readiness);
    server = std::make_unique<admin::AdminServer>(
        admin_options(manifest, manifest.testing, token), registry,
        [&] { return readiness->current(); }, &injector);
    server->set_management(management.get());
    server->set_liveness([&pipeline, stall = manifest.admin.stall_timeout] {
      return runtime::liveness_problem(pipeline.health(), stall);
    });
    server->start();
  }

  runtime::PipelineResult result;
  {
    SignalWatcher watcher([&] { pipeline.request_stop(); }, manifest.shutdown_timeout,
                          [&] { return !pipeline.health().fatal_message.empty(); });
    result = pipeline.run();
  }
  if (server && result.exit_code != 0) hold_failed_state(manifest.admin.failed_hold);
  if (server) server->stop();
  if (result.exit_code != 0) {
    log::error("runtime", "pipeline stopped with an error: " + result.message);
  }
  return result.exit_code;
}

}  // namespace

int run_pipeline(const Manifest& manifest, const std::vector<LoadedPlugin>& loaded) {
  const auto started_at = std::chrono::steady_clock::now();
  try {
    // Read first: a token that cannot be read stops start-up before anything connects.
    const std::optional<std::string> token =
        manifest.admin.enabled ? admin::load_strong_admin_token(manifest.admin) : std::nullopt;
    // cpprestsdk's pool is process-wide: it serves the admin listener and both connectors, so it
    // is sized from the manifest before anything creates a client or a listener.
    connector::init_http_threads(manifest.proxy.http_threads);
    for (const std::string& warning : security_warnings(manifest)) log::warn("security", warning);
    runtime::install_stop_signal_handlers();
    metrics::Registry registry;
    runtime::PluginHostServices services(registry);
    // Declared before everything that calls handlers, so instances are destroyed last.
    PluginSet plugins = create_plugins(manifest, loaded, services);
    auto routes = build_routes(manifest, plugins);
    log::info("runtime", "plugins created",
              {{"pipeline", manifest.name},
               {"plugins", std::to_string(plugins.instances.size())},
               {"routes", std::to_string(routes.size())}});
    if (manifest.no_kafka) return run_without_kafka(manifest, registry, plugins, routes, token);
    return run_with_kafka(manifest, registry, plugins, routes, token, started_at);
  } catch (const std::exception& e) {
    log::error("runtime", std::string("cannot run the pipeline: ") + e.what());
    return 1;
  }
}

}  // namespace streamhost::host
