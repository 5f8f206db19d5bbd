#include "manifest/manifest_mapper.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "config_check/number_shape.hpp"
#include "plugin/plugin_name.hpp"

namespace streamhost::host {
namespace {

using rapidjson::Value;
using std::chrono::milliseconds;

std::string json_text(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

const Value* member(const Value& object, const char* key) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(key);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string get_string(const Value& object, const char* key, std::string fallback) {
  const Value* v = member(object, key);
  return v != nullptr ? std::string(v->GetString()) : fallback;
}

int64_t get_int(const Value& object, const char* key, int64_t fallback) {
  const Value* v = member(object, key);
  return v != nullptr ? v->GetInt64() : fallback;
}

bool get_bool(const Value& object, const char* key, bool fallback) {
  const Value* v = member(object, key);
  return v != nullptr ? v->GetBool() : fallback;
}

// This replica's name, reduced to the characters a consumer instance name may hold: $HOSTNAME
// when the environment has it (a Kubernetes pod's name, a container's id: one host per pod or
// container, and its restarts keep the name), else the system's host name and this process's id.
// Without the id, two hosts started on one machine took one name, and the second deleted the
// first's live instance as a dead predecessor's.
std::string host_name(const EnvLookup& env) {
  std::string name;
  if (auto h = env("HOSTNAME"); h && !h->empty()) {
    name = *h;
  } else {
    char buffer[256] = {};
    if (gethostname(buffer, sizeof buffer - 1) == 0) name = buffer;
    name = (name.empty() ? "localhost" : name) + "-" + std::to_string(getpid());
  }
  std::string out;
  for (char c : name) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
  }
  return out.empty() ? "localhost" : out;
}

class Mapper {
 public:
  Mapper(const SourceMap& source, std::vector<Diagnostic>& errors)
      : source_(source), errors_(errors) {}

  void proxy(const Value& doc, Manifest& m) {
    const Value& p = doc["rest_proxy"];
    m.proxy.base_url = p["url"].GetString();
    m.proxy.dialect = get_string(p, "dialect", "confluent") == "strimzi" ? ProxyDialect::kStrimzi
                                                                         : ProxyDialect::kConfluent;
    if (const Value* auth = member(p, "auth")) {
      m.proxy.basic_auth_user = (*auth)["username"].GetString();
      m.proxy.basic_auth_password = (*auth)["password"].GetString();
    }
    if (const Value* tls = member(p, "tls")) {
      m.proxy.tls_ca_file = get_string(*tls, "ca_file", "");
      // The connector reads it at start; validate says so first, naming the key.
      if (!m.proxy.tls_ca_file.empty() && !std::ifstream(m.proxy.tls_ca_file).good()) {
        error("/rest_proxy/tls/ca_file", "rest_proxy.tls.ca_file",
              "cannot read \"" + m.proxy.tls_ca_file + "\" (a PEM file of the proxy's CA)");
      }
      m.proxy.tls_verify = get_bool(*tls, "verify", true);
    }
    m.proxy.request_timeout =
        milliseconds(get_int(p, "request_timeout_ms", m.proxy.request_timeout.count()));
    m.proxy.delete_timeout =
        milliseconds(get_int(p, "delete_timeout_ms", m.proxy.delete_timeout.count()));
    m.proxy.max_retries = static_cast<int>(get_int(p, "retries", m.proxy.max_retries));
    m.proxy.http_threads =
        static_cast<size_t>(get_int(p, "http_threads", static_cast<int64_t>(m.proxy.http_threads)));
    m.consumer.format = get_string(p, "embedded_format", "binary") == "json"
                            ? EmbeddedFormat::kJson
                            : EmbeddedFormat::kBinary;
  }

  void consumer(const Value& doc, Manifest& m, const EnvLookup& env) {
    const Value& c = doc["consumer"];
    m.consumer.group = c["group"].GetString();
    m.consumer.auto_offset_reset = get_string(c, "auto_offset_reset", m.consumer.auto_offset_reset);
    m.consumer.instance_prefix = get_string(c, "instance_prefix", m.consumer.instance_prefix);
    m.consumer.instance_name = get_string(c, "instance_name", "");
    // Stable by default, one name per replica: a restarted host deletes its predecessor's
    // instance instead of waiting minutes for the proxy or Kafka to expire it.
    if (m.consumer.instance_name.empty()) {
      m.consumer.instance_name = m.consumer.instance_prefix + "-" + host_name(env);
    }
    m.poll_timeout = milliseconds(get_int(c, "poll_timeout_ms", m.poll_timeout.count()));
    m.commit_interval = milliseconds(get_int(c, "commit_interval_ms", m.commit_interval.count()));
    m.keepalive_interval =
        milliseconds(get_int(c, "keepalive_interval_ms", m.keepalive_interval.count()));
    m.seek_fence_timeout =
        milliseconds(get_int(c, "seek_fence_timeout_ms", m.seek_fence_timeout.count()));
    m.stall_after = milliseconds(get_int(c, "stall_after_ms", m.stall_after.count()));
    if (m.stall_after <= m.poll_timeout) {
      // A poll waits poll_timeout_ms by design; a bound below it would call every poll a stall.
      error("/consumer/stall_after_ms", "consumer.stall_after_ms",
            "stall_after_ms (" + std::to_string(m.stall_after.count()) +
                ") must be greater than poll_timeout_ms (" +
                std::to_string(m.poll_timeout.count()) + ")");
    }
    if (const Value* r = member(c, "poll_retry")) {
      m.poll_retry.initial_backoff =
          milliseconds(get_int(*r, "initial_backoff_ms", m.poll_retry.initial_backoff.count()));
      m.poll_retry.max_backoff =
          milliseconds(get_int(*r, "max_backoff_ms", m.poll_retry.max_backoff.count()));
      if (m.poll_retry.max_backoff < m.poll_retry.initial_backoff) {
        error("/consumer/poll_retry", "consumer.poll_retry",
              "max_backoff_ms is smaller than initial_backoff_ms");
      }
    }
    if (const Value* props = member(c, "properties"))
      m.consumer.extra_properties_json = json_text(*props);
  }

  void plugins(const Value& doc, const std::filesystem::path& base, Manifest& m) {
    for (const auto& entry : doc["plugins"].GetObject()) {
      PluginSpec spec;
      spec.name = entry.name.GetString();
      if (!is_plugin_name(spec.name)) {
        error(pointer_child("/plugins", spec.name), "plugins",
              "plugin name \"" + spec.name + "\" must be " + std::string(kPluginNameRule));
      }
      std::filesystem::path library = entry.value["library"].GetString();
      if (library.is_relative()) library = base / library;
      spec.library = library.lexically_normal().string();
      const Value* config = member(entry.value, "config");
      spec.config_json = config != nullptr ? json_text(*config) : "{}";
      spec.config_source =
          source_.below(pointer_child(pointer_child("/plugins", spec.name), "config"));
      m.plugins.push_back(std::move(spec));
    }
  }

  void routes(const Value& doc, Manifest& m) {
    std::set<std::string> plugin_names;
    for (const PluginSpec& p : m.plugins) plugin_names.insert(p.name);
    std::map<std::string, size_t> names, topics;
    const Value& list = doc["routes"];
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
      const Value& r = list[i];
      std::string pointer = "/routes/" + std::to_string(i);
      std::string path = path_item("routes", i);
      RouteSpec route;
      route.source_topic = r["topic"].GetString();
      route.name = get_string(r, "name", route.source_topic);
      const std::string handler = r["handler"].GetString();
      const size_t slash = handler.find('/');
      route.plugin = handler.substr(0, slash);
      route.handler = slash == std::string::npos ? "" : handler.substr(slash + 1);
      if (!is_plugin_name(route.plugin) || !is_plugin_name(route.handler)) {
        error(pointer + "/handler", path_member(path, "handler"),
              "\"" + handler + "\" is not plugin/handler, two names of " +
                  std::string(kPluginNameRule));
      }
      if (const Value* out = member(r, "output_topic")) route.output_topic = out->GetString();
      if (const Value* attempts = member(r, "max_attempts"))
        route.max_attempts = attempts->GetInt();

      if (!names.emplace(route.name, i).second) {
        error(pointer, path,
              "route name \"" + route.name + "\" is already used by routes[" +
                  std::to_string(names[route.name]) + "]");
      }
      if (!topics.emplace(route.source_topic, i).second) {
        error(pointer + "/topic", path_member(path, "topic"),
              "topic \"" + route.source_topic + "\" is already consumed by routes[" +
                  std::to_string(topics[route.source_topic]) + "]");
      }
      if (is_plugin_name(route.plugin) && !plugin_names.contains(route.plugin)) {
        error(pointer + "/handler", path_member(path, "handler"),
              "unknown plugin \"" + route.plugin +
                  "\" (declared under plugins: " + join(plugin_names) + ")");
      }
      m.routes.push_back(std::move(route));
    }
  }

  // A topic the pipeline writes and also reads feeds records back to itself without end: a route's
  // output read by the same route, or by routes that lead back to it, or the dead-letter topic read
  // by a route (each rejected envelope is read and rejected again). A chain (a -> b, b -> c) is
  // fine.
  void loops(const Manifest& m) {
    std::map<std::string, size_t> reader;  // input topic -> the route reading it
    for (size_t i = 0; i < m.routes.size(); ++i) reader.emplace(m.routes[i].source_topic, i);
    for (size_t i = 0; i < m.routes.size(); ++i) {
      std::string via = m.routes[i].name;
      std::optional<std::string> next = m.routes[i].output_topic;
      for (size_t steps = 0; next && steps < m.routes.size(); ++steps) {
        auto r = reader.find(*next);
        if (r == reader.end()) break;
        if (r->second == i) {
          error("/routes/" + std::to_string(i) + "/output_topic",
                path_member(path_item("routes", i), "output_topic"),
                "output topic \"" + *m.routes[i].output_topic +
                    "\" leads back to this route's own "
                    "input topic \"" +
                    m.routes[i].source_topic + "\" (" + via + " -> " + m.routes[i].name +
                    "): a loop that never ends; write to another topic");
          break;
        }
        via += " -> " + m.routes[r->second].name;
        next = m.routes[r->second].output_topic;
      }
    }
    if (auto r = reader.find(m.dead_letter_topic); r != reader.end()) {
      error("/dead_letter_topic", "dead_letter_topic",
            "dead-letter topic \"" + m.dead_letter_topic + "\" is also the input topic of route " +
                m.routes[r->second].name +
                ": every rejected record would be read and rejected again; use a topic of its own");
    }
  }

  void admin(const Value& doc, Manifest& m) {
    const Value* a = member(doc, "admin");
    if (a == nullptr) return;
    m.admin.enabled = get_bool(*a, "enabled", m.admin.enabled);
    m.admin.bind = get_string(*a, "bind", m.admin.bind);
    m.admin.port = static_cast<uint16_t>(get_int(*a, "port", m.admin.port));
    m.admin.stall_timeout =
        milliseconds(get_int(*a, "stall_timeout_ms", m.admin.stall_timeout.count()));
    m.admin.token_file = get_string(*a, "token_file", "");
    m.admin.token_env = get_string(*a, "token_env", "");
    m.admin.lag_interval =
        milliseconds(get_int(*a, "lag_interval_ms", m.admin.lag_interval.count()));
    m.admin.lag_timeout = milliseconds(get_int(*a, "lag_timeout_ms", m.admin.lag_timeout.count()));
    m.admin.max_header_bytes = static_cast<size_t>(
        get_int(*a, "max_header_bytes", static_cast<int64_t>(m.admin.max_header_bytes)));
    m.admin.max_body_bytes = static_cast<size_t>(
        get_int(*a, "max_body_bytes", static_cast<int64_t>(m.admin.max_body_bytes)));
    m.admin.idle_timeout =
        milliseconds(get_int(*a, "idle_timeout_ms", m.admin.idle_timeout.count()));
    m.admin.request_timeout =
        milliseconds(get_int(*a, "request_timeout_ms", m.admin.request_timeout.count()));
    m.admin.max_connections = static_cast<size_t>(
        get_int(*a, "max_connections", static_cast<int64_t>(m.admin.max_connections)));
    m.admin.failed_hold = milliseconds(get_int(*a, "failed_hold_ms", m.admin.failed_hold.count()));
    if (!m.admin.token_file.empty() && !m.admin.token_env.empty()) {
      error("/admin", "admin", "set token_file or token_env, not both");
    }
    // The management endpoints pause and resume the pipeline: reachable beyond this machine only
    // when the operator also gave them a token.
    if (m.admin.enabled && !is_loopback_address(m.admin.bind) && m.admin.token_file.empty() &&
        m.admin.token_env.empty()) {
      error("/admin/bind", "admin.bind",
            "binding the admin endpoint to \"" + m.admin.bind +
                "\" (not a loopback address) needs a token for its mutating endpoints: set "
                "admin.token_file or admin.token_env, or bind 127.0.0.1");
    }
    if (const Value* health = member(*a, "health_paths")) {
      for (const auto& p : health->GetArray()) m.admin.health_paths.emplace_back(p.GetString());
    }
    const Value* aliases = member(*a, "aliases");
    if (aliases == nullptr) return;
    std::set<std::string> route_names;
    for (const RouteSpec& r : m.routes) route_names.insert(r.name);
    for (const auto& alias : aliases->GetObject()) {
      std::string from = alias.name.GetString();
      std::string to = alias.value.GetString();
      std::string pointer = pointer_child("/admin/aliases", from);
      std::string path = path_member("admin.aliases", from);
      if (!from.starts_with("/")) error(pointer, path, "an alias path must start with \"/\"");
      if (!route_names.contains(to)) {
        error(pointer, path, "unknown route \"" + to + "\" (routes: " + join(route_names) + ")");
      }
      m.admin.aliases[from] = to;
    }
  }

 private:
  static std::string join(const std::set<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "none" : out;
  }

  void error(const std::string& pointer, const std::string& path, std::string message) {
    errors_.push_back(Diagnostic{path, source_.line_of(pointer), std::move(message)});
  }

  const SourceMap& source_;
  std::vector<Diagnostic>& errors_;
};

}  // namespace

bool is_loopback_address(const std::string& address) {
  if (address == "localhost" || address == "::1" || address == "[::1]") return true;
  // 127.0.0.0/8, written as a dotted quad (scanned by hand, as number_shape.hpp explains).
  if (!address.starts_with("127.")) return false;
  int parts = 2;  // "127" and the octet being read
  size_t digits = 0;
  for (size_t i = 4; i < address.size(); ++i) {
    const char c = address[i];
    if (c >= '0' && c <= '9') {
      if (++digits > 3) return false;
    } else if (c == '.' && digits > 0 && parts < 4) {
      ++parts;
      digits = 0;
    } else {
      return false;
    }
  }
  return parts == 4 && digits > 0;
}

Manifest map_manifest(const Value& doc, const SourceMap& source, const std::string& source_path,
                      const EnvLookup& env, std::vector<Diagnostic>& errors) {
  Manifest m;
  Mapper mapper(source, errors);
  m.source_path = source_path;
  m.name = doc["pipeline"].GetString();
  mapper.proxy(doc, m);
  mapper.consumer(doc, m, env);
  mapper.plugins(doc, std::filesystem::absolute(source_path).parent_path(), m);
  mapper.routes(doc, m);
  m.dead_letter_topic = doc["dead_letter_topic"].GetString();
  mapper.loops(m);
  m.dead_letter_max_bytes = static_cast<size_t>(
      get_int(doc, "dead_letter_max_bytes", static_cast<int64_t>(m.dead_letter_max_bytes)));
  m.workers = static_cast<size_t>(get_int(doc, "workers", static_cast<int64_t>(m.workers)));
  m.max_in_flight_records = static_cast<size_t>(
      get_int(doc, "max_in_flight_records", static_cast<int64_t>(m.max_in_flight_records)));
  m.max_in_flight_bytes = static_cast<size_t>(
      get_int(doc, "max_in_flight_bytes", static_cast<int64_t>(m.max_in_flight_bytes)));
  if (const Value* r = member(doc, "retry")) {
    m.retry.initial_backoff =
        milliseconds(get_int(*r, "initial_backoff_ms", m.retry.initial_backoff.count()));
    m.retry.max_backoff = milliseconds(get_int(*r, "max_backoff_ms", m.retry.max_backoff.count()));
    if (const Value* mult = member(*r, "multiplier")) m.retry.multiplier = mult->GetDouble();
    if (const Value* jitter = member(*r, "jitter")) m.retry.jitter = jitter->GetDouble();
    m.retry.max_attempts = static_cast<int>(get_int(*r, "max_attempts", m.retry.max_attempts));
  }
  m.poll_retry.jitter = m.retry.jitter;
  m.max_produce_batch = static_cast<size_t>(
      get_int(doc, "max_produce_batch", static_cast<int64_t>(m.max_produce_batch)));
  m.produce_lanes =
      static_cast<size_t>(get_int(doc, "produce_lanes", static_cast<int64_t>(m.produce_lanes)));
  mapper.admin(doc, m);
  m.no_kafka = get_bool(doc, "testing_without_kafka", false);
  m.testing = get_bool(doc, "testing", false) || m.no_kafka;
  m.shutdown_timeout =
      milliseconds(get_int(doc, "shutdown_timeout_ms", m.shutdown_timeout.count()));
  m.state_dir = get_string(doc, "state_dir", "");
  m.max_crashes = static_cast<int>(get_int(doc, "max_crashes", m.max_crashes));
  if (member(doc, "max_crashes") != nullptr && m.state_dir.empty()) {
    errors.push_back(Diagnostic{"max_crashes", source.line_of("/max_crashes"),
                                "has no effect without state_dir (where crashes are counted): set "
                                "state_dir, or remove max_crashes"});
  }
  if (m.retry.max_backoff < m.retry.initial_backoff) {
    errors.push_back(Diagnostic{"retry", source.line_of("/retry"),
                                "max_backoff_ms is smaller than initial_backoff_ms"});
  }
  // Without Kafka the admin endpoint is the only input (POST /pipeline/inject). It used to start
  // even with admin.enabled false, and then without the token and loopback rules above.
  if (m.no_kafka && !m.admin.enabled) {
    errors.push_back(Diagnostic{"testing_without_kafka", source.line_of("/testing_without_kafka"),
                                "needs the admin endpoint (records arrive only through POST "
                                "/pipeline/inject): remove admin.enabled: false"});
  }
  return m;
}

}  // namespace streamhost::host
