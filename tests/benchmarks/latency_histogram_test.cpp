#include <streamhost/latency/histogram.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace streamhost::latency {
namespace {

TEST(LatencyHistogram, EmptyAnswersZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.value_at_percentile(50), 0);
  EXPECT_EQ(h.value_at_percentile(100), 0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_DOUBLE_EQ(h.mean(), 0.0);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int v = 1; v <= 100; ++v) h.record(v);
  // The nearest-rank definition: p is the smallest value with at least p % of samples <= it.
  EXPECT_EQ(h.value_at_percentile(50), 50);
  EXPECT_EQ(h.value_at_percentile(90), 90);
  EXPECT_EQ(h.value_at_percentile(99), 99);
  EXPECT_EQ(h.value_at_percentile(99.5), 100);
  EXPECT_EQ(h.value_at_percentile(100), 100);
  EXPECT_EQ(h.value_at_percentile(0), 1);
  EXPECT_EQ(h.value_at_percentile(1), 1);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 100);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogram, SingleSampleIsEveryPercentile) {
  LatencyHistogram h;
  h.record(123456);
  for (double p : {0.0, 1.0, 50.0, 99.9, 100.0}) EXPECT_EQ(h.value_at_percentile(p), 123456) << p;
}

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGaps) {
  for (size_t i = 1;
       i < 5000 && LatencyHistogram::lowest_in_bucket(i) <= LatencyHistogram::max_trackable();
       ++i) {
    if (LatencyHistogram::highest_in_bucket(i - 1) == LatencyHistogram::max_trackable()) break;
    ASSERT_EQ(LatencyHistogram::lowest_in_bucket(i), LatencyHistogram::highest_in_bucket(i - 1) + 1)
        << "bucket " << i;
  }
  EXPECT_EQ(LatencyHistogram::max_trackable(), (int64_t{1} << 41) - 1);
}

TEST(LatencyHistogram, EveryValueFallsInsideItsBucket) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    const int64_t v = static_cast<int64_t>(rng() % (int64_t{1} << 40));
    const size_t index = LatencyHistogram::index_of(v);
    ASSERT_LE(LatencyHistogram::lowest_in_bucket(index), v);
    ASSERT_GE(LatencyHistogram::highest_in_bucket(index), v);
  }
  // Power-of-two edges.
  for (int bit = 0; bit < 41; ++bit) {
    for (int64_t v : {(int64_t{1} << bit) - 1, int64_t{1} << bit, (int64_t{1} << bit) + 1}) {
      const size_t index = LatencyHistogram::index_of(v);
      ASSERT_LE(LatencyHistogram::lowest_in_bucket(index), v) << v;
      ASSERT_GE(LatencyHistogram::highest_in_bucket(index), v) << v;
    }
  }
}

TEST(LatencyHistogram, RelativeErrorBelowOnePercent) {
  LatencyHistogram h;
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> latency(std::log(20000.0), 1.0);  // ~20 ms median, in us
  std::vector<int64_t> samples;
  for (int i = 0; i < 200000; ++i) {
    samples.push_back(static_cast<int64_t>(latency(rng)));
    h.record(samples.back());
  }
  std::sort(samples.begin(), samples.end());
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * samples.size()));
    const double exact = static_cast<double>(samples[rank - 1]);
    const double got = static_cast<double>(h.value_at_percentile(p));
    EXPECT_GE(got, exact) << "p" << p;  // reported as the bucket's highest value
    EXPECT_LE((got - exact) / exact, 1.0 / 128) << "p" << p;
  }
  EXPECT_EQ(h.value_at_percentile(100), samples.back());
  EXPECT_EQ(h.max(), samples.back());
  EXPECT_EQ(h.min(), samples.front());
}

TEST(LatencyHistogram, PercentileNeverExceedsMax) {
  LatencyHistogram h;
  h.record(1000);
  h.record(1001);  // both in the same 8-wide bucket [1000, 1007]
  EXPECT_EQ(h.value_at_percentile(50), 1001);
  EXPECT_EQ(h.value_at_percentile(100), 1001);
}

TEST(LatencyHistogram, NegativeCountsAsZeroAndHugeIsClamped) {
  LatencyHistogram h;
  h.record(-5);
  h.record(int64_t{1} << 50);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), int64_t{1} << 50);
  EXPECT_EQ(h.value_at_percentile(50), 0);
  EXPECT_EQ(h.value_at_percentile(100), int64_t{1} << 50);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverything) {
  LatencyHistogram a, b, all;
  for (int v = 0; v < 5000; v += 3) {
    (v % 2 ? a : b).record(v * 17);
    all.record(v * 17);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double p : {10.0, 50.0, 90.0, 99.0}) {
    EXPECT_EQ(a.value_at_percentile(p), all.value_at_percentile(p));
  }
}

TEST(LatencyHistogram, CoordinatedOmissionCorrectionShowsAStall) {
  // 1,000 events due every 1 ms; a sender that waits for each answer (1 ms) stalls for 500 ms at
  // event 100, and every later event leaves late. Measured from the actual send no event looks
  // slow; measured from the intended send time 90 % of them waited half a second.
  LatencyHistogram corrected, uncorrected;
  int64_t clock = 0;
  for (int i = 0; i < 1000; ++i) {
    const int64_t intended = i * 1000;
    clock = std::max(clock, intended);
    if (i == 100) clock += 500000;
    const int64_t sent = clock;
    clock += 1000;
    uncorrected.record(clock - sent);
    corrected.record(clock - intended);
  }
  EXPECT_EQ(uncorrected.value_at_percentile(99), 1000);
  EXPECT_EQ(uncorrected.max(), 1000);
  // 1,000 sits in the 4-wide bucket [1000, 1003], reported as its highest value.
  EXPECT_EQ(corrected.value_at_percentile(10), 1003);
  EXPECT_GE(corrected.value_at_percentile(50), 500000);
  EXPECT_GE(corrected.max(), 500000);
}

}  // namespace
}  // namespace streamhost::latency
