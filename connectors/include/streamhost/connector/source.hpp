// The host's view of a Kafka consumer. Implemented by connectors/rest_proxy.
#pragma once

#include <chrono>
#include <optional>
#include <streamhost/connector/health.hpp>
#include <streamhost/connector/record.hpp>
#include <string>
#include <vector>

namespace streamhost::connector {

// Called from one host thread only (the poll loop); implementations need not be thread-safe except
// stats(), which the admin HTTP thread calls concurrently.
class Source {
 public:
  virtual ~Source() = default;

  // Creates the consumer instance (auto-commit off) and subscribes it to `topics`.
  // Throws TransientError when the proxy is unreachable, PermanentError when it refuses.
  virtual void subscribe(const std::vector<std::string>& topics) = 0;

  // Returns the next batch, or an empty one when nothing arrived within about `timeout`; it never
  // blocks much longer than timeout plus the request timeout. When the proxy has lost the consumer
  // instance, recreates and resubscribes it (delivery then resumes from the committed offsets, so
  // records may repeat) and bumps generation(). Throws TransientError / PermanentError.
  virtual std::vector<ConsumedRecord> poll(std::chrono::milliseconds timeout) = 0;

  // Commits, per partition, the offset of the next record to consume (last processed + 1).
  // Throws TransientError / PermanentError; the host keeps the offsets and commits them again
  // later.
  virtual void commit(const std::vector<PartitionOffset>& offsets) = 0;

  // Moves the position of one partition so the next polls return records from `next_offset` on.
  // The host uses it to re-read records it discarded while that partition was paused for a RETRY.
  virtual void seek(const TopicPartition& partition, int64_t next_offset) = 0;

  // The partitions the consumer holds now, so the host stops committing one a rebalance gave to
  // another member (its commit could move the group's offset backwards). nullopt: this source
  // cannot tell, and the host commits every partition it tracks. Throws TransientError.
  virtual std::optional<std::vector<TopicPartition>> assignment() { return std::nullopt; }

  // Deletes the consumer instance. Idempotent; never throws.
  virtual void close() noexcept = 0;

  // Increments each time the consumer instance is (re)created, so the host can tell that delivery
  // restarted from the committed offsets.
  virtual uint64_t generation() const = 0;

  virtual ConnectorStats stats() const = 0;
};

}  // namespace streamhost::connector
