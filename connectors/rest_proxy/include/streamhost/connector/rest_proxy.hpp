// REST proxy connectors: a Source and a Sink that reach Kafka through the Confluent REST Proxy v2 API
// or the Strimzi Kafka Bridge, over HTTP with cpprestsdk.
#pragma once

#include <streamhost/connector/sink.hpp>
#include <streamhost/connector/source.hpp>

#include <chrono>
#include <map>
#include <memory>
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
  int max_retries = 5;  // transient failures retried this many times per request
  std::chrono::milliseconds retry_backoff_initial{100};
  std::chrono::milliseconds retry_backoff_max{5000};
  size_t http_threads = 2;  // cpprestsdk's pool; its default of 40 does not fit small machines
};

struct ConsumerOptions {
  std::string group;
  std::string auto_offset_reset = "latest";  // earliest | latest | none
  std::string instance_prefix = "streamhost";  // random suffix appended per instance
  EmbeddedFormat format = EmbeddedFormat::kBinary;
  // Extra consumer-creation properties, JSON-typed per the dialect (e.g. {"fetch.min.bytes": 1}),
  // given as a JSON object text; merged into the create request as is.
  std::string extra_properties_json = "{}";
};

std::unique_ptr<Source> make_rest_proxy_source(const RestProxyOptions& proxy,
                                               const ConsumerOptions& consumer);
std::unique_ptr<Sink> make_rest_proxy_sink(const RestProxyOptions& proxy,
                                           EmbeddedFormat format = EmbeddedFormat::kBinary);

}  // namespace streamhost::connector
