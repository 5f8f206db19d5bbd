// The runtime's metrics, looked up once at start so the hot path touches only atomics.
// Every name is listed in docs/runtime.md.
#pragma once

#include <streamhost/plugin_api.h>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "metrics/registry.hpp"
#include "runtime/route.hpp"

namespace streamhost::host::runtime {

struct RouteMetrics {
  metrics::Counter* records_in = nullptr;
  metrics::Counter* records_out = nullptr;        // outputs acknowledged by Kafka
  metrics::Counter* records_rejected = nullptr;   // REJECT statuses (each dead-lettered)
  metrics::Counter* records_retried = nullptr;    // RETRY attempts
  metrics::Counter* retries_exhausted = nullptr;  // records dead-lettered after max_attempts
  metrics::Counter* dead_letters = nullptr;       // envelopes acknowledged on the dead-letter topic
  metrics::Counter* crash_quarantined = nullptr;  // dead-lettered after crashing the host
                                                  // max_crashes times (crash_journal.hpp)
  std::array<metrics::Counter*, 4> status{};      // indexed by sh_status
  metrics::Histogram* handler_seconds = nullptr;
  // Per input record, once its last output (or dead letter) is acknowledged: from its Kafka
  // timestamp (wall clock; records without one are left out), and from its poll's return to the
  // produce request that carried that output (the host's own share, proxy and Kafka excluded).
  metrics::Histogram* end_to_end_seconds = nullptr;
  metrics::Histogram* host_added_seconds = nullptr;
};

class PipelineMetrics {
 public:
  PipelineMetrics(metrics::Registry& registry, const std::vector<Route>& routes);

  RouteMetrics& route(const Route& r) { return routes_.at(r.name); }
  metrics::Histogram& produce_ack_seconds(const std::string& topic);

  metrics::Registry& registry;
  metrics::Histogram& queue_wait_seconds;
  metrics::Counter& commits;
  metrics::Counter& commit_failures;
  metrics::Counter& poll_errors;
  metrics::Counter& produce_retries;
  metrics::Counter& produce_failures;
  metrics::Counter& generation_changes;
  metrics::Counter& duplicates_skipped;
  metrics::Counter& paused_drops;
  metrics::Counter& stale_after_seek;
  metrics::Counter& partitions_revoked;
  metrics::Counter& backpressure_drops;
  metrics::Gauge& backpressure;
  metrics::Gauge& in_flight_bytes;
  metrics::Gauge& paused_partitions;
  metrics::Gauge& in_flight;
  metrics::Gauge& dead_letter_oldest_unacked;

 private:
  std::map<std::string, RouteMetrics> routes_;
};

}  // namespace streamhost::host::runtime
