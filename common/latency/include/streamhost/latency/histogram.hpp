// A log-bucketed latency histogram in the style of HdrHistogram: values below 128 are counted
// exactly; above, each power-of-two range is split into 128 equal buckets, so any recorded value
// is known to within 1/128 (< 0.8 %) of itself. Memory is fixed (a few thousand counters) whatever
// the number of samples, and two histograms merge by adding counters.
//
// Values are non-negative integers in any unit (the load tool records microseconds). Values at
// or above max_trackable() are counted in the top bucket and still set max().
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace streamhost::latency {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr int64_t kSubBuckets = int64_t{1} << kSubBucketBits;  // 128
  static constexpr int kMaxMagnitude = 40;  // values below 2^41 (25 days in microseconds)

  LatencyHistogram();

  // Negative values count as 0 (a result "before" its intended send time is clock noise).
  void record(int64_t value);
  void merge(const LatencyHistogram& other);
  void reset();

  uint64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }

  // The smallest value v such that at least `percentile` % of the samples are <= v, reported as
  // the highest value its bucket can hold (never above max()). 0 when empty. `percentile` is
  // clamped to [0, 100]; 100 gives max(), 0 gives min().
  int64_t value_at_percentile(double percentile) const;

  // One non-empty bucket: every value in [lowest, highest] was counted there.
  struct Bucket {
    int64_t lowest = 0;
    int64_t highest = 0;
    uint64_t count = 0;
  };
  std::vector<Bucket> buckets() const;

  // Bucket arithmetic, public so tests can check the layout.
  static size_t index_of(int64_t value);
  static int64_t lowest_in_bucket(size_t index);
  static int64_t highest_in_bucket(size_t index);
  static int64_t max_trackable();

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace streamhost::latency
