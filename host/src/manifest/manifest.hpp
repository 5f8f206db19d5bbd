// A pipeline manifest after YAML parsing, ${VAR} interpolation and schema validation: the one
// description of a pipeline the rest of the host works from. Every field is documented for
// operators in schema/manifest.schema.json.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config_check/diagnostic.hpp"

namespace streamhost::host {

// The proxy's API: the Confluent REST Proxy v2 or the Strimzi Kafka Bridge.
enum class ProxyDialect { kConfluent, kStrimzi };

// How records travel inside the proxy's JSON: base64 (any bytes) or JSON text.
enum class EmbeddedFormat { kBinary, kJson };

// rest_proxy: how the pipeline reaches Kafka. The manifest's own settings, kept free of any
// connector's types so the manifest depends on no connector; connection/connector_options.hpp hands
// them to the REST proxy connector. The defaults are the connector's.
struct RestProxySpec {
  std::string base_url;
  ProxyDialect dialect = ProxyDialect::kConfluent;
  std::string basic_auth_user;      // empty: no Authorization header
  std::string basic_auth_password;  // secret: never logged, never in an error message
  std::string tls_ca_file;          // empty: the system's trust store
  bool tls_verify = true;
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds delete_timeout{5000};
  int max_retries = 5;  // transient failures retried this many times per request
  // cpprestsdk's process-wide pool, which also serves plugins' HTTP clients (the admin endpoint
  // has a thread of its own): 4, where the connector alone would take 2.
  size_t http_threads = 4;
};

// consumer: the consumer group the source joins, and its instance.
struct ConsumerSpec {
  std::string group;
  std::string auto_offset_reset = "latest";    // earliest | latest | none
  std::string instance_prefix = "streamhost";  // random suffix appended per instance
  std::string instance_name;                   // stable per replica; empty: prefix + random suffix
  EmbeddedFormat format = EmbeddedFormat::kBinary;  // rest_proxy.embedded_format
  std::string extra_properties_json = "{}";         // consumer.properties as JSON object text
};

struct PluginSpec {
  std::string name;     // the key routes use ("coupon" in "coupon/focus")
  std::string library;  // path of the .so, relative paths resolved against the manifest's folder
  std::string config_json;  // the plugin's config object as JSON text ("{}" when absent)
  SourceMap config_source;  // lines and ${VAR}s of the config's values, keyed from the config
};

struct RouteSpec {
  std::string name;  // unique; defaults to the source topic
  std::string source_topic;
  std::string plugin;                       // PluginSpec::name
  std::string handler;                      // a handler the plugin declares
  std::optional<std::string> output_topic;  // where emitted records go when the handler names none
  std::optional<int> max_attempts;          // overrides RetrySpec::max_attempts for this route
};

struct RetrySpec {
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
  double multiplier = 2.0;
  // The random fraction of each delay (runtime/backoff.hpp): 0.5 waits between half and all of it.
  double jitter = 0.5;
  // Handler calls of one record before it is dead-lettered with the last RETRY reason; 0 retries
  // for as long as it takes. 20 calls with the default backoff span about six minutes.
  int max_attempts = 20;
};

struct AdminSpec {
  bool enabled = true;
  std::string bind = "127.0.0.1";
  uint16_t port = 18080;
  // Extra paths served like a route's inject endpoint (testing mode only), e.g. the original
  // service's "/mock_entry" -> route "entry". Every value names an existing route.
  std::map<std::string, std::string> aliases;
  // Extra GET paths answered exactly like /healthz, for probes written for another service (the
  // coupon pipeline's manifest serves the original service's /healthcheck this way).
  std::vector<std::string> health_paths;
  // /healthz turns 503 when records are in flight and nothing progressed for this long.
  std::chrono::milliseconds stall_timeout{120000};
  // Where the bearer token of the mutating management endpoints lives: a file, or an environment
  // variable, never the manifest text. Both empty: no token (then bind must be a loopback address).
  std::string token_file;
  std::string token_env;
  // How often the log-end offsets behind the lag figures are fetched from the proxy, and the
  // timeout of each fetch.
  std::chrono::milliseconds lag_interval{10000};
  std::chrono::milliseconds lag_timeout{5000};
  // The HTTP server's limits (docs/admin-api.md#limits); the defaults hold a pod's memory limit
  // against any client that reaches the port.
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 4u << 20;  // an injected record's limit too
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds request_timeout{10000};
  size_t max_connections = 64;
  // After a failure, how long /metrics keeps showing FAILED and its reason before the process
  // exits: Prometheus scrapes every 15 s, and a process gone 36 ms after the FATAL was never seen.
  std::chrono::milliseconds failed_hold{20000};
};

struct Manifest {
  std::string name;  // the pipeline's name, in logs and metrics
  RestProxySpec proxy;
  ConsumerSpec consumer;
  std::chrono::milliseconds poll_timeout{100};
  std::chrono::milliseconds commit_interval{1000};
  std::chrono::milliseconds keepalive_interval{5000};
  std::chrono::milliseconds seek_fence_timeout{10000};
  // A call to the proxy unanswered this long makes the pipeline STALLED (consumer.stall_after_ms).
  std::chrono::milliseconds stall_after{3000};
  // After a failed subscribe, poll or seek, and between final-commit attempts on stop. Its jitter
  // is retry.jitter.
  RetrySpec poll_retry{std::chrono::milliseconds(200), std::chrono::milliseconds(10000), 2.0};
  size_t max_produce_batch = 500;
  size_t produce_lanes = 1;  // produce requests in flight at once (output_producer.hpp)
  std::vector<PluginSpec> plugins;
  std::vector<RouteSpec> routes;
  std::string dead_letter_topic;
  // Kafka's default max.message.bytes is 1048588; an envelope above this is truncated to fit.
  size_t dead_letter_max_bytes = 1000000;
  size_t workers = 2;
  // Back-pressure caps on records in flight and their bytes; 0: no limit.
  size_t max_in_flight_records = 10000;
  size_t max_in_flight_bytes = size_t{64} << 20;
  RetrySpec retry;
  AdminSpec admin;
  bool testing = false;  // enables the inject endpoints (also testing_without_kafka)
  // `testing_without_kafka: true`: testing mode with no source and no sink at all (records arrive
  // only through the inject endpoints; nothing is produced to Kafka).
  bool no_kafka = false;
  std::chrono::milliseconds shutdown_timeout{30000};
  // Crash containment (docs/runtime.md): the folder of the crash journal, empty for none, and how
  // many crashes of the host a record's handler may cause before the record is dead-lettered.
  std::string state_dir;
  int max_crashes = 2;
  std::string source_path;  // the manifest file, for messages
  // The manifest as JSON after interpolation and schema conversion, secrets included: what
  // GET /pipeline/config shows once redacted. Never log it.
  std::string effective_json;
};

}  // namespace streamhost::host
