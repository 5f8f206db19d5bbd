// Everything that differs between the Confluent REST Proxy v2 and the Strimzi Kafka Bridge lives
// here, so the source and sink speak one vocabulary and ask this file for field names and types.
#pragma once

#include <cstdint>
#include <optional>
#include <streamhost/connector/rest_proxy.hpp>
#include <string>
#include <string_view>

namespace streamhost::connector::detail {

// Accept for every non-records call and Content-Type for consumer-management bodies.
inline constexpr std::string_view kKafkaV2Json = "application/vnd.kafka.v2+json";

// The embedded type, sent unchanged (Strimzi matches it with an exact string comparison).
std::string_view embedded_content_type(EmbeddedFormat format);
std::string_view format_name(EmbeddedFormat format);  // "binary" | "json", lower-case for Strimzi
std::string_view dialect_name(Dialect dialect);

// The create-consumer body: name, format, auto.offset.reset, auto-commit off under the dialect's
// own key and JSON type, then the caller's extra properties (which win on a clash). Throws
// std::invalid_argument when extra_properties_json is not a JSON object.
std::string create_consumer_body(Dialect dialect, const std::string& name,
                                 const ConsumerOptions& consumer);

// The offset to send in a commit for a partition whose next record to consume is `next_offset`:
// Confluent commits offset + 1 itself, Strimzi commits what it gets. nullopt: nothing to commit.
std::optional<int64_t> commit_offset_for(Dialect dialect, int64_t next_offset);

// The error envelope of either proxy; message is the raw body when it is not JSON (Confluent
// answers some 400s in text/plain).
struct ProxyError {
  std::optional<int64_t> error_code;
  std::string message;
};
ProxyError parse_proxy_error(std::string_view body);

// A 404 on an instance URL saying the consumer instance is unknown (expired, or the proxy
// restarted): the caller recreates the instance.
bool is_instance_gone(Dialect dialect, int http_status, const ProxyError& error);

// A 404 whose message is about a topic or partition rather than the instance. Karapace answers a
// read of a subscribed topic that does not exist with the instance-gone code 40403 and "Unknown
// topic or partition: ..."; rest-utils maps Kafka's UnknownTopicOrPartitionException to 40403 with
// "This server does not host this topic-partition.". Such an instance is alive: recreating it
// would leave the old one behind.
bool names_unknown_topic(const ProxyError& error);

// A per-record produce error worth sending again: 5xx-class (Confluent 50002/50003, Strimzi 500)
// and 429-class codes. Authorization (40301), size and unknown-topic errors are final.
bool is_retriable_record_error(int64_t error_code);

// Transient at the HTTP level: the proxy or Kafka behind it is busy or down.
inline bool is_transient_status(int http_status) {
  return http_status == 429 || (http_status >= 500 && http_status <= 599);
}

}  // namespace streamhost::connector::detail
