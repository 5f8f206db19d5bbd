// REST proxy connectors: a Source and a Sink that reach Kafka through the Confluent REST Proxy v2
// API or the Strimzi Kafka Bridge, over HTTP with cpprestsdk.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <streamhost/connector/sink.hpp>
#include <streamhost/connector/source.hpp>
#include <string>

namespace streamhost::connector {

enum class Dialect { kConfluent, kStrimzi };

// How records travel inside the proxy's JSON. kBinary (base64) carries any bytes, so a malformed
// event still reaches the handler (and then the dead-letter topic); with kJson the proxy itself
// fails the whole poll on a record that is not JSON.
enum class EmbeddedFormat { kBinary, kJson };

struct RestProxyOptions {
  std::string base_url;  // e.g. http://127.0.0.1:18082
  Dialect dialect = Dialect::kConfluent;
  std::string basic_auth_user;      // empty: no Authorization header
  std::string basic_auth_password;  // secret: never logged, never in an error message
  std::string tls_ca_file;          // empty: the system's trust store
  bool tls_verify = true;
  std::chrono::milliseconds request_timeout{30000};
  // Bounds deleting the consumer instance at shutdown (and a predecessor's at start): one attempt,
  // so a slow or hung proxy cannot hold a stopping host; the proxy expires what is left.
  std::chrono::milliseconds delete_timeout{5000};
  int max_retries = 5;  // transient failures retried this many times per request
  std::chrono::milliseconds retry_backoff_initial{100};
  std::chrono::milliseconds retry_backoff_max{5000};
  size_t http_threads = 2;  // cpprestsdk's pool; its default of 40 does not fit small machines
  // A reply over this many bytes is refused (a transport failure, retried) as soon as its first
  // byte past it arrives. A poll reply holds at most the consumer's fetch.max.bytes (Kafka's
  // default: 50 MiB) of records, base64-encoded in the binary format: 4/3 of that plus JSON.
  size_t max_response_bytes = 256u << 20;
  // Sink: records per produce request; bigger batches are split (the proxy holds a request in
  // memory).
  size_t max_records_per_request = 500;
  // Source: false sends every instance call to {base_url}/consumers/{group}/instances/{name} over
  // this client's kept-alive connections (sticky by construction); true follows the base_uri the
  // proxy returned (right for Confluent with per-instance advertised.listeners).
  bool follow_base_uri = false;
};

struct ConsumerOptions {
  std::string group;
  std::string auto_offset_reset = "latest";    // earliest | latest | none
  std::string instance_prefix = "streamhost";  // random suffix appended per instance
  // A stable instance name (one per replica, such as the host name): before creating its first
  // instance the source deletes one of that name, the consumer of a predecessor that died without
  // deleting it, whose partitions would otherwise wait for the proxy or Kafka to expire it. Empty:
  // instance_prefix plus a random suffix each time. If the name is held by a live process (two
  // replicas configured alike), the source falls back to a random suffix rather than fight it.
  std::string instance_name;
  EmbeddedFormat format = EmbeddedFormat::kBinary;
  // Extra consumer-creation properties, JSON-typed per the dialect (e.g. {"fetch.min.bytes": 1}),
  // given as a JSON object text; merged into the create request as is.
  std::string extra_properties_json = "{}";
};

// Sizes cpprestsdk's process-wide thread pool. cpprestsdk allows this only before its first client
// or listener exists; the first call wins and later calls (with any size) do nothing. The factories
// below call it with RestProxyOptions::http_threads, so call it earlier to choose another size.
// Thread-safe.
void init_http_threads(size_t threads);

std::unique_ptr<Source> make_rest_proxy_source(const RestProxyOptions& proxy,
                                               const ConsumerOptions& consumer);

// Reads log offsets with GET /topics/{t}/partitions/{p}/offsets (the same route and reply in both
// dialects), over HTTP clients of its own: one attempt per call, each bounded by `timeout`, so a
// slow proxy delays only the caller. Meant for a thread of the host's own, never the poll thread
// or an HTTP pool handler. Thread-safe.
class LogOffsetsReader {
 public:
  virtual ~LogOffsetsReader() = default;
  // Throws TransientError (unreachable, timeout, 5xx) or PermanentError (any other status, a reply
  // without the two offsets); messages carry no credentials.
  virtual LogOffsets read(const TopicPartition& partition) = 0;
};

std::unique_ptr<LogOffsetsReader> make_rest_proxy_log_offsets_reader(
    const RestProxyOptions& proxy, std::chrono::milliseconds timeout);

std::unique_ptr<Sink> make_rest_proxy_sink(const RestProxyOptions& proxy,
                                           EmbeddedFormat format = EmbeddedFormat::kBinary);

}  // namespace streamhost::connector
