#include "metrics/metric_types.hpp"

#include <algorithm>

namespace streamhost::host::metrics {

const std::array<double, kLatencyBucketCount>& latency_bucket_bounds() {
  static const std::array<double, kLatencyBucketCount> bounds = [] {
    std::array<double, kLatencyBucketCount> b{};
    double bound = 1e-6;
    for (auto& v : b) {
      v = bound;
      bound *= 2.0;
    }
    return b;
  }();
  return bounds;
}

void Histogram::observe(double seconds) {
  if (!(seconds > 0.0)) seconds = 0.0;  // also maps NaN to 0
  const auto& bounds = latency_bucket_bounds();
  // Prometheus buckets are "less than or equal": the first bound >= the value.
  size_t i =
      static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(seconds, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.cumulative.reserve(buckets_.size());
  uint64_t running = 0;
  for (const auto& b : buckets_) {
    running += b.load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace streamhost::host::metrics
