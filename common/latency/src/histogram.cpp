#include <streamhost/latency/histogram.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace streamhost::latency {
namespace {

// Bucket layout: indexes [0, 128) hold the values 0..127 exactly. Then magnitude m >= 0 covers
// [128 << m, 256 << m) in 128 buckets of width 2^m, at indexes 128 + 128 m + sub, for
// m = 0 .. kMaxMagnitude - 7 (the last one ends at 2^(kMaxMagnitude + 1) - 1).
constexpr size_t kBucketCount =
    static_cast<size_t>(LatencyHistogram::kSubBuckets) *
    (LatencyHistogram::kMaxMagnitude - LatencyHistogram::kSubBucketBits + 2);

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

int64_t LatencyHistogram::max_trackable() {
  return highest_in_bucket(kBucketCount - 1);
}

size_t LatencyHistogram::index_of(int64_t value) {
  if (value < kSubBuckets) return static_cast<size_t>(std::max<int64_t>(value, 0));
  if (value > max_trackable()) return kBucketCount - 1;
  const int log2 = 63 - std::countl_zero(static_cast<uint64_t>(value));
  const int magnitude = log2 - kSubBucketBits;  // >= 0 here
  const int64_t sub = (value >> magnitude) - kSubBuckets;
  return static_cast<size_t>(kSubBuckets + kSubBuckets * magnitude + sub);
}

int64_t LatencyHistogram::lowest_in_bucket(size_t index) {
  const auto i = static_cast<int64_t>(index);
  if (i < kSubBuckets) return i;
  const int64_t magnitude = (i - kSubBuckets) / kSubBuckets;
  const int64_t sub = (i - kSubBuckets) % kSubBuckets;
  return (kSubBuckets + sub) << magnitude;
}

int64_t LatencyHistogram::highest_in_bucket(size_t index) {
  const auto i = static_cast<int64_t>(index);
  if (i < kSubBuckets) return i;
  const int64_t magnitude = (i - kSubBuckets) / kSubBuckets;
  return lowest_in_bucket(index) + (int64_t{1} << magnitude) - 1;
}

void LatencyHistogram::record(int64_t value) {
  value = std::max<int64_t>(value, 0);
  ++counts_[index_of(value)];
  if (count_ == 0 || value < min_) min_ = value;
  if (value > max_) max_ = value;
  ++count_;
  sum_ += value;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void LatencyHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = max_ = 0;
  sum_ = 0;
}

int64_t LatencyHistogram::value_at_percentile(double percentile) const {
  if (count_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  if (percentile == 0.0) return min();
  if (percentile == 100.0) return max_;
  // The rank of the sample that percentile points at (1-based), as HdrHistogram computes it.
  const auto rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    // The top bucket also holds everything beyond max_trackable(): only max_ is known there.
    if (seen >= rank) return i + 1 == counts_.size() ? max_ : std::min(highest_in_bucket(i), max_);
  }
  return max_;
}

std::vector<LatencyHistogram::Bucket> LatencyHistogram::buckets() const {
  std::vector<Bucket> out;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] != 0) out.push_back({lowest_in_bucket(i), highest_in_bucket(i), counts_[i]});
  }
  return out;
}

}  // namespace streamhost::latency
