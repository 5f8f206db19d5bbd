// Back-pressure: a sink that stops answering must cost bounded memory, not an unbounded queue. At
// the in-flight cap the pipeline stops taking records, keeps its consumer alive with a keep-alive
// poll whose records it drops, and reads them again by a seek once the sink frees up.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>

#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

using namespace std::chrono_literals;

TEST(RuntimeBackpressure, AtTheInFlightCapPollingHoldsBackAndNothingIsLostOnceTheSinkFrees) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  constexpr int kPerPartition = 400;
  constexpr size_t kCap = 40;
  std::vector<ConsumedRecord> records;
  for (int p = 0; p < 2; ++p) {
    for (int o = 0; o < kPerPartition; ++o) {
      records.push_back(make_record("in", p, o, "k" + std::to_string(o % 7),
                                    std::to_string(p) + ":" + std::to_string(o)));
    }
  }
  h.source.append(records);
  h.sink.hold(true);  // the sink hangs: nothing is acknowledged, nothing finishes
  auto options = h.options();
  options.max_in_flight_records = kCap;
  options.keepalive_poll_interval = 50ms;
  h.start({plugin.route("r", "in", "out")}, options);

  ASSERT_TRUE(eventually([&] { return h.pipeline->health().backpressure; }));
  size_t most_in_flight = 0;
  const uint64_t drops_before =
      h.registry.counter_value("streamhost_backpressure_records_dropped_total");
  // Several keep-alive intervals: the cap holds and the consumer keeps being polled.
  for (int i = 0; i < 60; ++i) {
    most_in_flight = std::max(most_in_flight, h.pipeline->health().in_flight);
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_LE(most_in_flight, kCap);
  EXPECT_TRUE(h.pipeline->health().backpressure);
  EXPECT_TRUE(eventually([&] {
    return h.registry.counter_value("streamhost_backpressure_records_dropped_total") > drops_before;
  })) << "no keep-alive poll while capped: the proxy would expire the consumer";

  h.sink.hold(false);
  ASSERT_TRUE(eventually([&] {
    return h.source.committed({"in", 0}) == kPerPartition &&
           h.source.committed({"in", 1}) == kPerPartition;
  })) << "committed "
      << h.source.committed({"in", 0}).value_or(-1) << " and "
      << h.source.committed({"in", 1}).value_or(-1);
  EXPECT_EQ(h.stop().exit_code, 0);
  EXPECT_FALSE(h.pipeline->health().backpressure);
  std::set<std::string> produced;
  for (const auto& p : h.sink.produced_to("out")) produced.insert(p.value);
  EXPECT_EQ(produced.size(), records.size()) << "every record handled and produced";
  EXPECT_FALSE(h.source.seeks().empty()) << "dropped records were read again by a seek";
}

TEST(RuntimeBackpressure, TheByteCapCountsKeysValuesAndHeaders) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  std::vector<ConsumedRecord> records;
  for (int o = 0; o < 100; ++o) {
    records.push_back(make_record("in", 0, o, "key", std::string(1000, 'v')));
  }
  h.source.append(records);
  h.sink.hold(true);
  auto options = h.options();
  options.max_in_flight_records = 0;        // no record cap: only bytes
  options.max_in_flight_bytes = 10 * 1003;  // ten records of 3 + 1000 bytes
  options.keepalive_poll_interval = 50ms;
  h.start({plugin.route("r", "in", "out")}, options);
  ASSERT_TRUE(eventually([&] { return h.pipeline->health().backpressure; }));
  EXPECT_EQ(h.pipeline->health().in_flight, 10u);
  h.sink.hold(false);
  ASSERT_TRUE(eventually([&] { return h.source.committed({"in", 0}) == 100; }));
  EXPECT_EQ(h.stop().exit_code, 0);
}

// A backlog reaches the cap again every second or two; the log says so once when it starts and
// once when it is over, while the gauge follows every hold.
TEST(RuntimeBackpressure, ABacklogIsLoggedOnceWhenItStartsAndOnceWhenItEnds) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  constexpr size_t kCap = 20;
  auto batch = [](int from, int count) {
    std::vector<ConsumedRecord> records;
    for (int o = from; o < from + count; ++o) records.push_back(make_record("in", 0, o, "k", "v"));
    return records;
  };
  h.source.append(batch(0, 100));
  h.sink.hold(true);
  auto options = h.options();
  options.max_in_flight_records = kCap;
  options.keepalive_poll_interval = 50ms;
  options.backlog_quiet_period = 1500ms;
  ::testing::internal::CaptureStderr();
  h.start({plugin.route("r", "in", "out")}, options);
  // Two holds within the quiet period: one backlog. The second batch arrives only once the sink
  // hangs again, so the cap is reached again however fast the first backlog drained.
  ASSERT_TRUE(eventually([&] { return h.pipeline->health().backpressure; }));
  h.source.append(batch(100, 100));
  h.sink.hold(false);
  ASSERT_TRUE(eventually([&] { return !h.pipeline->health().backpressure; }));
  h.sink.hold(true);
  h.source.append(batch(200, 100));
  ASSERT_TRUE(eventually([&] { return h.pipeline->health().backpressure; }));
  h.sink.hold(false);
  ASSERT_TRUE(eventually([&] { return h.source.committed({"in", 0}) == 300; }));
  // Past the quiet period, with the poll loop running: the backlog is over.
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(h.stop().exit_code, 0);
  const std::string log = ::testing::internal::GetCapturedStderr();
  auto count = [&](const std::string& text) {
    size_t n = 0;
    for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("in-flight cap reached; holding polling back"), 1u) << log;
  EXPECT_EQ(count("backlog over: the in-flight cap was not reached again"), 1u) << log;
  EXPECT_EQ(count("stopping during a backlog"), 0u) << log;
  EXPECT_NE(log.find("holds="), std::string::npos) << log;
  EXPECT_EQ(count("holds=1 "), 0u) << "both holds counted in one backlog: " << log;
}

}  // namespace
}  // namespace streamhost::host::testing
