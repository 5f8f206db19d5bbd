// The records and results that cross between the host runtime and a Kafka connector.
// Plain value types: the host and the connectors share them, plugins never see them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace streamhost::connector {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
};

struct TopicPartitionHash {
  size_t operator()(const TopicPartition& tp) const noexcept {
    return std::hash<std::string>{}(tp.topic) * 31u + std::hash<int32_t>{}(tp.partition);
  }
};

// A partition's first and next offsets as the broker reports them (end = the offset the next
// produced record gets), for lag figures.
struct LogOffsets {
  int64_t beginning = 0;
  int64_t end = 0;
};

struct Header {
  std::string key;
  std::string value;
};

// One record as consumed from Kafka. key/value hold the raw bytes stored in Kafka (decoded from the
// proxy's base64 in the binary format, or the JSON text in the json format); nullopt means null.
struct ConsumedRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp_ms = -1;  // -1: the proxy gave none (Confluent v2 never does)
  std::vector<Header> headers;
};

// One record to produce. key/value are raw bytes; nullopt key means a null key.
struct OutgoingRecord {
  std::optional<std::string> key;
  std::string value;
  std::optional<int32_t> partition;  // nullopt: Kafka's partitioner chooses by key
};

// The outcome of one produced record. Only ok == true means Kafka acknowledged it.
struct DeliveryResult {
  bool ok = false;
  bool retriable = false;  // a transient failure (5xx, 429, I/O, timeout): worth producing again
  int32_t partition = -1;
  int64_t offset = -1;
  std::string error;  // the proxy's own message when !ok
};

// The position to commit for a partition: the offset of the next record to consume
// (Kafka's convention, last processed + 1). Connectors translate it to their proxy's dialect.
struct PartitionOffset {
  TopicPartition partition;
  int64_t next_offset = 0;
};

}  // namespace streamhost::connector
