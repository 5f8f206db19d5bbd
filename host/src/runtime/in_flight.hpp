// One dispatched record on its way to "done", and the count of such records.
//
// A record settles exactly once: done (its handler finished and every output or its dead-letter
// envelope was acknowledged, so the watermark may pass it) or abandoned (shutdown, FATAL, a
// permanent produce failure: it stays uncommitted and Kafka delivers it again later).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <streamhost/connector/record.hpp>

#include "runtime/clock.hpp"
#include "runtime/offset_tracker.hpp"
#include "runtime/partition_lifecycle.hpp"
#include "runtime/pipeline_metrics.hpp"
#include "runtime/route.hpp"

namespace streamhost::host::runtime {

struct InFlight {
  connector::ConsumedRecord record;
  const Route* route = nullptr;
  RouteMetrics* metrics = nullptr;
  std::shared_ptr<PartitionTracker> tracker;  // of the generation that dispatched it
  Clock::time_point received_at{};            // when the poll that brought it returned
  // The partition's assignment as the plugin's hooks saw it; null when the plugin has no hooks.
  std::shared_ptr<PartitionTicket> ticket;
  Clock::time_point dispatched_at{};
  size_t bytes = 0;      // the record's key, value and headers, for the in-flight byte cap
  bool started = false;  // touched only by the owning worker
  int attempts = 0;      // handler calls so far; touched only by the owning worker
  std::atomic<size_t> outputs_pending{0};
  std::atomic<bool> settled{false};
};

class InFlightCounter {
 public:
  // `gauge` follows the count; `bytes_gauge`, when given, the bytes, on every add and settle (so
  // it reads 0 once the last record finishes, not what the last dispatch left).
  explicit InFlightCounter(metrics::Gauge& gauge, metrics::Gauge* bytes_gauge = nullptr)
      : gauge_(gauge), bytes_gauge_(bytes_gauge) {}

  void add(size_t bytes = 0);
  // Settles `record` once; later calls are no-ops. `done` marks it in its partition's watermark.
  void settle(InFlight& record, bool done);
  // Waits (in real time) until nothing is in flight or `deadline` passes; true when idle.
  bool wait_idle(std::chrono::steady_clock::time_point deadline);
  size_t count() const;
  size_t bytes() const;
  // Whether `records` or more are in flight, or `bytes` or more of them (0: no limit).
  bool at_or_above(size_t records, size_t bytes) const;
  // Waits (in real time) until fewer than `records` and `bytes` are in flight, or `deadline`.
  bool wait_below(size_t records, size_t bytes, std::chrono::steady_clock::time_point deadline);

  // Progress, for liveness: a record settled, a handler call returned, a produce request
  // answered (even with an error), or work arrived after a quiet spell. A pipeline with records
  // in flight whose progress stops for long is wedged (a call that never returns), which a
  // dependency outage is not: retries and failed requests are progress.
  void touch();
  std::chrono::steady_clock::duration since_progress() const;

 private:
  void publish();  // under mutex_

  metrics::Gauge& gauge_;
  metrics::Gauge* bytes_gauge_;
  std::atomic<std::chrono::steady_clock::rep> last_progress_{
      std::chrono::steady_clock::now().time_since_epoch().count()};
  mutable std::mutex mutex_;
  std::condition_variable idle_;  // on every settle: waiters check their own condition
  size_t count_ = 0;
  size_t bytes_ = 0;
};

}  // namespace streamhost::host::runtime
