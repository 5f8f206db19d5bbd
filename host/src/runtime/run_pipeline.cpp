#include "runtime/run_pipeline.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <streamhost/connector/rest_proxy.hpp>
#include <string>
#include <thread>

#include "admin/admin_server.hpp"
#include "admin/readiness_monitor.hpp"
#include "metrics/connector_stats.hpp"
#include "metrics/registry.hpp"
#include "plugin/loader.hpp"
#include "runtime/inject.hpp"
#include "runtime/liveness.hpp"
#include "runtime/log.hpp"
#include "runtime/pipeline.hpp"
#include "runtime/plugin_host_services.hpp"
#include "runtime/stop_signal.hpp"

namespace streamhost::host {
namespace {

// cpprestsdk's pool is process-wide and serves the admin listener and both connectors: a few
// threads fit a 2-core machine better than its default of 40.
constexpr size_t kHttpThreads = 4;
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

admin::AdminOptions admin_options(const Manifest& m, bool testing) {
  return {m.admin.bind, m.admin.port, testing, m.admin.aliases};
}

// Waits for SIGTERM/SIGINT, a FATAL (`failed`) or `done`; on a signal asks `stop`; then, as a
// last resort, ends the process if the stop overruns shutdown_timeout (a handler that never
// returns, a dependency that never answers), so a stuck process is always replaced.
class SignalWatcher {
 public:
  SignalWatcher(
      std::function<void()> stop, std::chrono::milliseconds shutdown_timeout,
      std::function<bool()> failed = [] { return false; })
      : thread_([this, stop = std::move(stop), shutdown_timeout, failed = std::move(failed)] {
          while (!done_.load() && !runtime::stop_signal_received() && !failed()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          }
          if (done_.load()) return;
          if (runtime::stop_signal_received()) {
            log::info("runtime", "stop signal received; shutting down gracefully");
            stop();
          }
          auto deadline =
              std::chrono::steady_clock::now() + shutdown_timeout + std::chrono::seconds(5);
          while (!done_.load()) {
            if (std::chrono::steady_clock::now() > deadline) {
              log::error("runtime", "stop overran shutdown_timeout by 5 s; exiting now");
              std::_Exit(1);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          }
        }) {}
  ~SignalWatcher() {
    done_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

int run_without_kafka(const Manifest& manifest, metrics::Registry& registry,
                      const PluginSet& plugins, const std::vector<runtime::Route>& routes) {
  runtime::Injector injector(routes);
  admin::ReadinessMonitor readiness(
      [&] {
        admin::ReadinessReport report;
        add_plugin_checks(report, plugins);
        return report;
      },
      kReadinessPeriod, kReadinessStaleAfter);
  admin::AdminServer server(
      admin_options(manifest, true), registry, [&] { return readiness.current(); }, &injector);
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
                   const std::vector<runtime::Route>& routes) {
  auto source = connector::make_rest_proxy_source(manifest.proxy, manifest.consumer);
  auto sink = connector::make_rest_proxy_sink(manifest.proxy, manifest.consumer.format);
  metrics::mirror_connector_stats(registry, "source", [&] { return source->stats(); });
  metrics::mirror_connector_stats(registry, "sink", [&] { return sink->stats(); });

  runtime::PipelineOptions options;
  options.workers = manifest.workers;
  options.retry = manifest.retry;
  // The connector retried each request (rest_proxy.retries); what still failed waits on the
  // host's one backoff before it is produced again.
  options.produce_retry = manifest.retry;
  options.dead_letter_topic = manifest.dead_letter_topic;
  options.dead_letter_max_bytes = manifest.dead_letter_max_bytes;
  options.poll_timeout = manifest.poll_timeout;
  options.shutdown_timeout = manifest.shutdown_timeout;
  options.max_in_flight_records = manifest.max_in_flight_records;
  options.max_in_flight_bytes = manifest.max_in_flight_bytes;
  runtime::Pipeline pipeline(*source, *sink, routes, options, registry);

  runtime::Injector injector(routes);
  std::string source_warning;  // the last one logged; touched only by the readiness thread
  std::unique_ptr<admin::ReadinessMonitor> readiness;
  std::unique_ptr<admin::AdminServer> server;
  if (manifest.admin.enabled) {
    readiness = std::make_unique<admin::ReadinessMonitor>(
        [&] {
          admin::ReadinessReport report;
          auto source_stats = source->stats();
          if (!source_stats.warning.empty() && source_stats.warning != source_warning) {
            source_warning = source_stats.warning;
            log::warn("source", source_warning);
          }
          auto health = pipeline.health();
          bool source_ok = source_stats.reachable && health.source_ok;
          report.add("source", source_ok,
                     !health.source_ok ? health.source_error : source_stats.last_error);
          auto sink_stats = sink->stats();
          report.add("sink", sink_stats.reachable, sink_stats.last_error);
          report.add("pipeline", health.running, health.running ? "" : "not running");
          add_plugin_checks(report, plugins);
          return report;
        },
        kReadinessPeriod, kReadinessStaleAfter);
    server = std::make_unique<admin::AdminServer>(
        admin_options(manifest, manifest.testing), registry, [&] { return readiness->current(); },
        &injector);
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
  if (server) server->stop();
  if (result.exit_code != 0) {
    log::error("runtime", "pipeline stopped with an error: " + result.message);
  }
  return result.exit_code;
}

}  // namespace

int run_pipeline(const Manifest& manifest) {
  try {
    connector::init_http_threads(kHttpThreads);
    runtime::install_stop_signal_handlers();
    metrics::Registry registry;
    runtime::PluginHostServices services(registry);
    // Declared before everything that calls handlers, so instances are destroyed last.
    PluginSet plugins = create_plugins(manifest, services);
    auto routes = build_routes(manifest, plugins);
    log::info("runtime", "plugins created",
              {{"pipeline", manifest.name},
               {"plugins", std::to_string(plugins.instances.size())},
               {"routes", std::to_string(routes.size())}});
    if (manifest.no_kafka) return run_without_kafka(manifest, registry, plugins, routes);
    return run_with_kafka(manifest, registry, plugins, routes);
  } catch (const std::exception& e) {
    log::error("runtime", std::string("cannot run the pipeline: ") + e.what());
    return 1;
  }
}

}  // namespace streamhost::host
