#include "admin/management_api.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <memory>
#include <set>

namespace streamhost::host::admin {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr std::string_view kPipeline = "/pipeline";
constexpr std::string_view kRoutesPrefix = "/pipeline/routes/";

void write_optional(JsonWriter& w, const std::optional<int64_t>& value) {
  if (value) {
    w.Int64(*value);
  } else {
    w.Null();
  }
}

void write_optional(JsonWriter& w, const std::optional<std::string>& value) {
  if (value) {
    w.String(*value);
  } else {
    w.Null();
  }
}

// "/pipeline/routes/{route}/pause" -> {route, "pause"}; nullopt for any other path.
std::optional<std::pair<std::string, std::string>> route_action(const std::string& path) {
  if (!path.starts_with(kRoutesPrefix)) return std::nullopt;
  const std::string rest = path.substr(kRoutesPrefix.size());
  const size_t slash = rest.rfind('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  return std::pair{rest.substr(0, slash), rest.substr(slash + 1)};
}

// At most `max` bytes of `text`, never cutting a UTF-8 sequence (a label value must stay UTF-8).
std::string utf8_prefix(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace

std::string error_body(const std::string& status, const std::string& reason) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("status");
  w.String(status);
  w.Key("reason");
  w.String(reason);
  w.EndObject();
  return buf.GetString();
}

std::vector<PartitionView> partition_views(
    const std::vector<runtime::PartitionStatus>& partitions,
    const std::map<connector::TopicPartition, LogEnd>& log_ends) {
  std::vector<PartitionView> views;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& p : partitions) {
    PartitionView v;
    v.status = p;
    std::optional<int64_t> beginning;
    if (auto end = log_ends.find(p.partition); end != log_ends.end()) {
      v.log_end = end->second.end_offset;
      beginning = end->second.beginning_offset;
      v.log_end_error = end->second.error;
      if (v.log_end) {
        v.log_end_age_seconds = std::chrono::duration<double>(now - end->second.read_ok_at).count();
      }
    }
    // Never negative: the log end is read a little after the commit, so it can only be ahead;
    // a log end read before the commit it is compared with would otherwise show -N.
    if (v.log_end && p.committed) {
      v.lag = std::max<int64_t>(0, *v.log_end - *p.committed);
    } else if (v.log_end && beginning) {
      v.lag = std::max<int64_t>(0, *v.log_end - *beginning);
      v.lag_from_start = true;
    }
    views.push_back(std::move(v));
  }
  return views;
}

ManagementApi::ManagementApi(PipelineInfo info, PipelineAccess access)
    : info_(std::move(info)), access_(std::move(access)) {}

double ManagementApi::uptime_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - info_.started_at).count();
}

std::optional<ApiAnswer> ManagementApi::handle(std::string_view method,
                                               const std::string& path) const {
  if (path != kPipeline && !path.starts_with(std::string(kPipeline) + "/")) return std::nullopt;
  const bool get = method == "GET";
  const bool post = method == "POST";
  auto wrong_method = [](const char* allowed) {
    return ApiAnswer{405, error_body("method_not_allowed", std::string("use ") + allowed)};
  };
  if (path == kPipeline) return get ? ApiAnswer{200, pipeline_json()} : wrong_method("GET");
  if (path == "/pipeline/partitions") {
    return get ? ApiAnswer{200, partitions_json()} : wrong_method("GET");
  }
  if (path == "/pipeline/config") {
    return get ? ApiAnswer{200, info_.redacted_config_json} : wrong_method("GET");
  }
  if (path == "/pipeline/pause" || path == "/pipeline/resume") {
    return post ? mutate(path == "/pipeline/pause", std::nullopt) : wrong_method("POST");
  }
  if (auto action = route_action(path)) {
    if (action->second == "pause" || action->second == "resume") {
      return post ? mutate(action->second == "pause", action->first) : wrong_method("POST");
    }
  }
  return ApiAnswer{404, error_body("not_found", "no such endpoint: " + path)};
}

ApiAnswer ManagementApi::mutate(bool pause, const std::optional<std::string>& route) const {
  const bool known = pause ? access_.pause(route) : access_.resume(route);
  if (!known) return {404, error_body("not_found", "no route named " + route.value_or(""))};
  return {200, pipeline_json()};
}

std::string ManagementApi::pipeline_json() const {
  const runtime::PipelineStatus s = access_.status();
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("name");
  w.String(info_.name);
  w.Key("state");
  w.String(std::string(runtime::state_name(s.state.state)));
  w.Key("reason");
  if (s.state.reason.empty()) {
    w.Null();
  } else {
    w.String(s.state.reason);
  }
  w.Key("paused");
  w.Bool(s.pipeline_paused);
  w.Key("uptime_seconds");
  w.Double(uptime_seconds());
  w.Key("workers");
  w.Uint64(info_.workers);
  w.Key("in_flight");
  w.Uint64(s.health.in_flight);
  w.Key("backpressure");
  w.Bool(s.health.backpressure);
  w.Key("poll_age_seconds");
  w.Double(std::chrono::duration<double>(s.health.since_poll_ok).count());
  w.Key("routes");
  w.StartArray();
  for (const auto& r : info_.routes) {
    w.StartObject();
    w.Key("name");
    w.String(r.name);
    w.Key("topic");
    w.String(r.topic);
    w.Key("handler");
    w.String(r.handler);
    w.Key("output_topic");
    write_optional(w, r.output_topic);
    w.Key("paused");
    w.Bool(s.pipeline_paused || s.paused_routes.count(r.name) != 0);
    w.EndObject();
  }
  w.EndArray();
  w.Key("plugins");
  w.StartArray();
  for (const auto& p : info_.plugins) {
    w.StartObject();
    w.Key("name");
    w.String(p.name);
    w.Key("plugin");
    w.String(p.plugin);
    w.Key("version");
    w.String(p.version);
    w.Key("abi_version");
    w.String(p.abi_version);
    w.Key("library");
    w.String(p.library);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

std::string ManagementApi::partitions_json() const {
  const runtime::PipelineStatus s = access_.status();
  const auto ends =
      access_.log_ends ? access_.log_ends() : std::map<connector::TopicPartition, LogEnd>{};
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("partitions");
  w.StartArray();
  for (const auto& v : partition_views(s.partitions, ends)) {
    w.StartObject();
    w.Key("topic");
    w.String(v.status.partition.topic);
    w.Key("partition");
    w.Int(v.status.partition.partition);
    w.Key("route");
    w.String(v.status.route);
    w.Key("committed_offset");
    write_optional(w, v.status.committed);
    w.Key("last_dispatched_offset");
    write_optional(w, v.status.last_dispatched);
    w.Key("log_end_offset");
    write_optional(w, v.log_end);
    w.Key("lag");
    write_optional(w, v.lag);
    w.Key("lag_from_start");
    w.Bool(v.lag_from_start);
    w.Key("log_end_age_seconds");
    if (v.log_end_age_seconds) {
      w.Double(*v.log_end_age_seconds);
    } else {
      w.Null();
    }
    w.Key("in_flight");
    w.Uint64(v.status.in_flight);
    w.Key("paused");
    w.Bool(!v.status.paused_because.empty());
    w.Key("paused_because");
    w.StartArray();
    for (const auto& why : v.status.paused_because) w.String(why);
    w.EndArray();
    if (!v.log_end_error.empty()) {
      w.Key("log_end_error");
      w.String(v.log_end_error);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

void ManagementApi::install_metrics(metrics::Registry& registry) const {
  auto& uptime = registry.gauge("streamhost_uptime_seconds", "Seconds since the host started");
  auto& poll_age = registry.gauge(
      "streamhost_poll_age_seconds",
      "Seconds since the last poll of the REST proxy that returned without an error");
  std::map<runtime::PipelineState, metrics::Gauge*> states;
  for (auto state : runtime::kAllPipelineStates) {
    states[state] = &registry.gauge("streamhost_pipeline_state",
                                    "1 for the pipeline's current state, 0 for the others",
                                    {{"state", std::string(runtime::state_name(state))}});
  }
  // Series of partitions shown at the previous scrape, to remove those no longer held.
  auto shown = std::make_shared<std::set<std::pair<std::string, metrics::Labels>>>();
  registry.add_collect_hook([this, &registry, &uptime, &poll_age, states, shown] {
    uptime.set(uptime_seconds());
    const runtime::PipelineStatus s = access_.status();
    poll_age.set(std::chrono::duration<double>(s.health.since_poll_ok).count());
    for (const auto& [state, gauge] : states) gauge->set(state == s.state.state ? 1.0 : 0.0);
    if (s.state.state == runtime::PipelineState::kFailed) {
      // The reason as a label, so an alert can name it: one series, set once (a failed pipeline
      // never runs again in this process, which exits after admin.failed_hold_ms).
      registry
          .gauge("streamhost_pipeline_failure_info",
                 "1 once the pipeline has FAILED; the reason label says why (the first 200 bytes)",
                 {{"reason", utf8_prefix(s.state.reason, 200)}})
          .set(1.0);
    }
    const auto ends =
        access_.log_ends ? access_.log_ends() : std::map<connector::TopicPartition, LogEnd>{};
    std::set<std::pair<std::string, metrics::Labels>> now;
    auto set = [&](const char* name, const char* help, const metrics::Labels& labels,
                   std::optional<double> value) {
      if (!value) return;
      registry.gauge(name, help, labels).set(*value);
      now.emplace(name, labels);
    };
    auto as_double = [](std::optional<int64_t> v) -> std::optional<double> {
      if (!v) return std::nullopt;
      return static_cast<double>(*v);
    };
    for (const auto& v : partition_views(s.partitions, ends)) {
      const metrics::Labels labels{{"topic", v.status.partition.topic},
                                   {"partition", std::to_string(v.status.partition.partition)}};
      // A figure from the log start is the whole retained log whenever this process has
      // committed nothing yet (after each restart, after a partition comes back): its own series,
      // so the lag alerts and sums over streamhost_consumer_lag never count it.
      set(v.lag_from_start ? "streamhost_consumer_lag_from_start" : "streamhost_consumer_lag",
          v.lag_from_start
              ? "Log-end offset minus the log start, for a partition with nothing committed here "
                "yet (an upper bound, not a lag); as old as streamhost_log_end_age_seconds"
              : "Log-end offset minus the offset committed here; as old as "
                "streamhost_log_end_age_seconds",
          labels, as_double(v.lag));
      set("streamhost_committed_offset",
          "The offset this host last committed (the next record to consume)", labels,
          as_double(v.status.committed));
      set("streamhost_log_end_offset", "The partition's log-end offset, read from the REST proxy",
          labels, as_double(v.log_end));
      set("streamhost_log_end_age_seconds",
          "Seconds since the log-end offset behind the lag was last read successfully", labels,
          v.log_end_age_seconds);
    }
    for (const auto& series : *shown) {
      if (now.count(series) == 0) registry.remove(series.first, series.second);
    }
    *shown = std::move(now);
  });
}

}  // namespace streamhost::host::admin
