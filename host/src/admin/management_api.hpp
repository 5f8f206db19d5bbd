// The operators' management API under /pipeline (docs/admin-api.md), in the spirit of Kafka
// Connect's REST API: JSON in and out, answered from memory on cpprestsdk's pool.
//   GET  /pipeline                          name, state, routes, workers, plugins, uptime
//   GET  /pipeline/partitions               per partition: offsets, lag, in flight, paused and why
//   GET  /pipeline/config                   the effective manifest, secrets redacted
//   POST /pipeline/pause, /pipeline/resume  the whole pipeline
//   POST /pipeline/routes/{route}/pause|resume
// The same figures as Prometheus gauges: install_metrics().
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/lag_monitor.hpp"
#include "metrics/registry.hpp"
#include "runtime/pipeline.hpp"

namespace streamhost::host::admin {

// {"status":..,"reason":..}: the body of every error answer of the admin endpoint.
std::string error_body(const std::string& status, const std::string& reason);

struct PluginInfo {
  std::string name;         // the manifest's name for it
  std::string plugin;       // the descriptor's name
  std::string version;      // the descriptor's version, empty when it has none
  std::string abi_version;  // "major.minor" the plugin was built against
  std::string library;      // the .so path
};

struct RouteInfo {
  std::string name;
  std::string topic;
  std::string handler;  // plugin/handler
  std::optional<std::string> output_topic;
};

// What does not change while the pipeline runs.
struct PipelineInfo {
  std::string name;
  size_t workers = 0;
  std::vector<RouteInfo> routes;
  std::vector<PluginInfo> plugins;
  std::string redacted_config_json;  // already redacted (config_redaction.hpp)
  std::chrono::steady_clock::time_point started_at = std::chrono::steady_clock::now();
};

// How the API reaches the running pipeline. Every function must only read memory or set flags:
// they run on the HTTP pool.
struct PipelineAccess {
  std::function<runtime::PipelineStatus()> status;
  std::function<std::map<connector::TopicPartition, LogEnd>()> log_ends;  // may be empty
  std::function<bool(const std::optional<std::string>&)> pause;           // false: unknown route
  std::function<bool(const std::optional<std::string>&)> resume;          // false: unknown route
};

struct ApiAnswer {
  int http_status = 200;
  std::string body;
};

// One partition as the API and the metrics show it: the pipeline's figures plus the log end.
struct PartitionView {
  runtime::PartitionStatus status;
  std::optional<int64_t> log_end;
  // log_end - committed; with nothing committed here yet, log_end - the log start (every record
  // still there is unread as far as this host knows). nullopt before the first log-end read.
  std::optional<int64_t> lag;
  bool lag_from_start = false;  // lag counts from the log start: nothing committed here yet
  std::string log_end_error;    // of the last read, empty when it succeeded
  // Seconds since the log end was last read successfully: how old the lag figure is.
  std::optional<double> log_end_age_seconds;
};
std::vector<PartitionView> partition_views(
    const std::vector<runtime::PartitionStatus>& partitions,
    const std::map<connector::TopicPartition, LogEnd>& log_ends);

class ManagementApi {
 public:
  ManagementApi(PipelineInfo info, PipelineAccess access);

  // The answer for a /pipeline path, or nullopt when `path` is not one.
  std::optional<ApiAnswer> handle(std::string_view method, const std::string& path) const;

  // Registers streamhost_consumer_lag (or _lag_from_start), _committed_offset, _log_end_offset,
  // _log_end_age_seconds (topic, partition), streamhost_pipeline_state (state),
  // streamhost_poll_age_seconds and streamhost_uptime_seconds, filled at each scrape.
  void install_metrics(metrics::Registry& registry) const;

  std::string pipeline_json() const;
  std::string partitions_json() const;

 private:
  ApiAnswer mutate(bool pause, const std::optional<std::string>& route) const;
  double uptime_seconds() const;

  PipelineInfo info_;
  PipelineAccess access_;
};

}  // namespace streamhost::host::admin
