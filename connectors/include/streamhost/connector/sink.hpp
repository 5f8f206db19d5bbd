// The host's view of a Kafka producer. Implemented by connectors/rest_proxy.
#pragma once

#include <streamhost/connector/health.hpp>
#include <streamhost/connector/record.hpp>

#include <string>
#include <vector>

namespace streamhost::connector {

// Thread-safe: host worker threads call produce() concurrently.
class Sink {
 public:
  virtual ~Sink() = default;

  // Produces `records` to `topic` and blocks until the proxy answered. Returns exactly one result per
  // record, in order; only results with ok == true were acknowledged by Kafka. Whole-request transient
  // failures are retried internally with backoff up to the configured limit; what is still failing
  // comes back with retriable == true. Never throws for a per-record failure.
  virtual std::vector<DeliveryResult> produce(const std::string& topic,
                                              const std::vector<OutgoingRecord>& records) = 0;

  virtual ConnectorStats stats() const = 0;
};

}  // namespace streamhost::connector
