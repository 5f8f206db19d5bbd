// The three metric kinds the registry hands out. Updating one is a handful of relaxed atomic
// operations, so handlers and workers may update them on every record without a lock.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace streamhost::host::metrics {

// A monotonically increasing count. `set` exists only for mirroring a total kept elsewhere
// (a connector's request counter), never for resetting.
class Counter {
 public:
  void inc(uint64_t delta = 1) { value_.fetch_add(delta, std::memory_order_relaxed); }
  void set(uint64_t total) { value_.store(total, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (queue depth, paused partitions, reachability as 0/1).
class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Fixed exponential buckets: 1 µs doubling 31 times (up to about 17.9 min), which spans a cache hit
// (µs) up to a record queued behind a long backlog (minutes) with at most a factor 2 of resolution
// loss. The top bound must stay above 10 min: a queue wait past the last bound only counts in +Inf,
// and every quantile of a backlog would read as that bound.
inline constexpr size_t kLatencyBucketCount = 31;
const std::array<double, kLatencyBucketCount>& latency_bucket_bounds();

class Histogram {
 public:
  // Records one observation in seconds. Negative values count as 0.
  void observe(double seconds);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf last
    uint64_t count = 0;
    double sum = 0.0;
  };
  // Not an atomic snapshot across buckets; good enough for scraping (counts never go backwards).
  Snapshot snapshot() const;

 private:
  std::array<std::atomic<uint64_t>, kLatencyBucketCount + 1> buckets_{};  // last one is +Inf
  std::atomic<double> sum_{0.0};
};

}  // namespace streamhost::host::metrics
