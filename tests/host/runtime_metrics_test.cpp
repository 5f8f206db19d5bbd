// The metrics registry and its Prometheus text exposition.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <thread>
#include <vector>

#include "metrics/registry.hpp"

namespace streamhost::host::metrics {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& l : lines_of(text)) {
    if (l == line) return true;
  }
  return false;
}

TEST(RuntimeMetrics, RendersCountersAndGaugesWithHelpTypeAndLabels) {
  Registry r;
  r.counter("streamhost_records_in_total", "Records dispatched", {{"route", "entry"}}).inc(3);
  r.counter("streamhost_records_in_total", "Records dispatched", {{"route", "focus"}}).inc();
  r.gauge("streamhost_paused_partitions", "Paused partitions").set(2);
  auto text = r.render();
  EXPECT_TRUE(has_line(text, "# HELP streamhost_records_in_total Records dispatched")) << text;
  EXPECT_TRUE(has_line(text, "# TYPE streamhost_records_in_total counter"));
  EXPECT_TRUE(has_line(text, "streamhost_records_in_total{route=\"entry\"} 3"));
  EXPECT_TRUE(has_line(text, "streamhost_records_in_total{route=\"focus\"} 1"));
  EXPECT_TRUE(has_line(text, "# TYPE streamhost_paused_partitions gauge"));
  EXPECT_TRUE(has_line(text, "streamhost_paused_partitions 2"));
  EXPECT_EQ(text.back(), '\n');
}

TEST(RuntimeMetrics, EscapesLabelValues) {
  Registry r;
  r.counter("c_total", "h", {{"reason", "a \"quoted\"\\path\nline"}}).inc();
  EXPECT_TRUE(has_line(r.render(), R"(c_total{reason="a \"quoted\"\\path\nline"} 1)"))
      << r.render();
}

TEST(RuntimeMetrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  auto& h = r.histogram("streamhost_handler_duration_seconds", "Handler time",
                        {{"plugin", "p"}, {"handler", "h"}});
  h.observe(0.0000005);  // below the first bound (1 µs)
  h.observe(0.003);
  h.observe(2000.0);  // beyond the last bound: only +Inf
  auto text = r.render();
  EXPECT_TRUE(has_line(text, "# TYPE streamhost_handler_duration_seconds histogram"));
  EXPECT_TRUE(has_line(
      text, R"(streamhost_handler_duration_seconds_bucket{plugin="p",handler="h",le="1e-06"} 1)"))
      << text;
  EXPECT_TRUE(has_line(
      text,
      R"(streamhost_handler_duration_seconds_bucket{plugin="p",handler="h",le="0.004096"} 2)"))
      << text;
  EXPECT_TRUE(has_line(
      text, R"(streamhost_handler_duration_seconds_bucket{plugin="p",handler="h",le="+Inf"} 3)"));
  EXPECT_TRUE(
      has_line(text, R"(streamhost_handler_duration_seconds_count{plugin="p",handler="h"} 3)"));
  EXPECT_TRUE(has_line(
      text, R"(streamhost_handler_duration_seconds_sum{plugin="p",handler="h"} 2000.0030005)"))
      << text;
  // Every bucket line is cumulative: counts never decrease along the le order.
  uint64_t previous = 0;
  for (const auto& line : lines_of(text)) {
    if (line.rfind("streamhost_handler_duration_seconds_bucket", 0) != 0) continue;
    uint64_t v = std::stoull(line.substr(line.rfind(' ') + 1));
    EXPECT_GE(v, previous) << line;
    previous = v;
  }
}

// A backlog's queue wait is minutes: it must land in a bucket of its own, not only in +Inf, or
// every quantile reads as the top bound.
TEST(RuntimeMetrics, HistogramBucketsReachTenMinutes) {
  const auto& bounds = latency_bucket_bounds();
  EXPECT_GE(bounds.back(), 600.0);
  Registry r;
  auto& h = r.histogram("q_seconds", "q");
  h.observe(300.0);
  h.observe(600.0);
  const auto snapshot = h.snapshot();
  const size_t first_at_600 =
      static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), 600.0) - bounds.begin());
  ASSERT_LT(first_at_600, bounds.size());
  EXPECT_EQ(snapshot.cumulative[first_at_600], 2u);
  EXPECT_EQ(snapshot.cumulative[first_at_600 - 1], 1u) << "300 s and 600 s share a bucket";
}

TEST(RuntimeMetrics, ConcurrentUpdatesAreNotLost) {
  Registry r;
  auto& c = r.counter("n_total", "n");
  auto& h = r.histogram("d_seconds", "d");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.inc();
        h.observe(0.001);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
  EXPECT_EQ(h.snapshot().count, 40000u);
}

TEST(RuntimeMetrics, RefusesOneNameForTwoKinds) {
  Registry r;
  r.counter("x", "x");
  EXPECT_THROW(r.gauge("x", "x"), std::logic_error);
}

TEST(RuntimeMetrics, CollectHooksRunBeforeRendering) {
  Registry r;
  auto& mirrored = r.counter("streamhost_connector_requests_total", "r", {{"connector", "sink"}});
  uint64_t outside = 7;
  r.add_collect_hook([&] { mirrored.set(outside); });
  EXPECT_TRUE(has_line(r.render(), "streamhost_connector_requests_total{connector=\"sink\"} 7"));
  outside = 9;
  EXPECT_TRUE(has_line(r.render(), "streamhost_connector_requests_total{connector=\"sink\"} 9"));
}

}  // namespace
}  // namespace streamhost::host::metrics
