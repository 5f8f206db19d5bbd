// Operator pauses (POST /pipeline/pause, /pipeline/routes/{route}/pause): the pipeline stops
// handing records to handlers, keeps polling so its consumer stays in the group, and resumes from
// exactly where it paused: every record handled once, none skipped.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>

#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

using namespace std::chrono_literals;

// Counts the handler calls per (topic, offset) and emits the value.
struct CountingHandler {
  std::mutex mutex;
  std::map<std::pair<std::string, int64_t>, int> calls;

  Behaviour behaviour() {
    return [this](const sp::Record& in, sp::Emitter& out) {
      {
        std::lock_guard lock(mutex);
        ++calls[{std::string(in.topic()), in.offset()}];
      }
      out.emit(in.value(), in.key());
      return sp::Outcome::ok();
    };
  }
  size_t handled(const std::string& topic) {
    std::lock_guard lock(mutex);
    size_t n = 0;
    for (const auto& [key, count] : calls) n += key.first == topic ? 1 : 0;
    return n;
  }
  int most_calls() {
    std::lock_guard lock(mutex);
    int most = 0;
    for (const auto& [key, count] : calls) most = std::max(most, count);
    return most;
  }
};

std::vector<ConsumedRecord> records(const std::string& topic, int from, int to) {
  std::vector<ConsumedRecord> out;
  for (int o = from; o < to; ++o) {
    out.push_back(make_record(topic, 0, o, "k" + std::to_string(o % 5), topic + std::to_string(o)));
  }
  return out;
}

TEST(RuntimeOperatorPause, APausedPipelineKeepsPollingHandlesNothingAndResumesWhereItStopped) {
  CountingHandler counter;
  TestPluginInstance plugin(counter.behaviour());
  PipelineHarness h;
  h.source.append(records("in", 0, 50));
  auto options = h.options();
  options.keepalive_poll_interval = 20ms;
  h.start({plugin.route("r", "in", "out")}, options);
  ASSERT_TRUE(eventually([&] { return h.source.committed({"in", 0}) == 50; }));

  ASSERT_TRUE(h.pipeline->pause(std::nullopt));
  EXPECT_EQ(h.pipeline->status().state.state, runtime::PipelineState::kPaused);
  h.source.append(records("in", 50, 120));
  const uint64_t polls = h.source.polls();
  // The keep-alive polls go on (the consumer stays in its group) and drop what they return.
  ASSERT_TRUE(eventually([&] {
    return h.source.polls() >= polls + 3 &&
           h.registry.counter_value("streamhost_paused_records_dropped_total") > 0;
  }));
  EXPECT_EQ(counter.handled("in"), 50u) << "a paused pipeline handed records to its handler";
  EXPECT_EQ(h.source.committed({"in", 0}), 50);
  ASSERT_TRUE(eventually([&] {
    const auto s = h.pipeline->status();
    return s.partitions.size() == 1 && !s.partitions[0].paused_because.empty();
  }));
  const auto paused = h.pipeline->status();
  EXPECT_EQ(paused.partitions[0].paused_because[0], "paused by an operator");
  EXPECT_EQ(paused.partitions[0].committed, 50);
  EXPECT_EQ(paused.partitions[0].last_dispatched, 49);

  ASSERT_TRUE(h.pipeline->resume(std::nullopt));
  ASSERT_TRUE(eventually([&] {
    return h.source.committed({"in", 0}) == 120;
  })) << "committed "
      << h.source.committed({"in", 0}).value_or(-1);
  EXPECT_EQ(h.stop().exit_code, 0);
  EXPECT_EQ(counter.handled("in"), 120u) << "records skipped across the pause";
  EXPECT_EQ(counter.most_calls(), 1) << "a record was handled twice";
  ASSERT_FALSE(h.source.seeks().empty());
  EXPECT_EQ(h.source.seeks().front().next_offset, 50) << "resumed from the first dropped record";
}

TEST(RuntimeOperatorPause, APausedRouteStopsAloneAndResumesWithNothingLost) {
  CountingHandler counter;
  TestPluginInstance plugin(counter.behaviour());
  PipelineHarness h;
  auto options = h.options();
  options.keepalive_poll_interval = 20ms;
  h.start({plugin.route("a", "in-a", "out"), plugin.route("b", "in-b", "out")}, options);
  ASSERT_TRUE(h.pipeline->pause(std::string("a")));
  EXPECT_FALSE(h.pipeline->pause(std::string("no-such-route")));
  const auto s = h.pipeline->status();
  EXPECT_EQ(s.state.state, runtime::PipelineState::kRunning) << "one route of two paused";
  EXPECT_EQ(s.paused_routes, std::set<std::string>{"a"});

  h.source.append(records("in-a", 0, 30));
  h.source.append(records("in-b", 0, 30));
  ASSERT_TRUE(eventually([&] { return h.source.committed({"in-b", 0}) == 30; }));
  ASSERT_TRUE(eventually(
      [&] { return h.registry.counter_value("streamhost_paused_records_dropped_total") > 0; }));
  EXPECT_EQ(counter.handled("in-a"), 0u) << "the paused route handed records to its handler";
  ASSERT_TRUE(eventually([&] {
    for (const auto& p : h.pipeline->status().partitions) {
      if (p.partition.topic == "in-a" && !p.paused_because.empty()) {
        return p.paused_because[0] == "route paused by an operator";
      }
    }
    return false;
  }));

  ASSERT_TRUE(h.pipeline->pause(std::string("b")));
  EXPECT_EQ(h.pipeline->status().state.state, runtime::PipelineState::kPaused)
      << "every route paused is a paused pipeline";
  ASSERT_TRUE(h.pipeline->resume(std::string("b")));
  ASSERT_TRUE(h.pipeline->resume(std::string("a")));
  ASSERT_TRUE(eventually([&] { return h.source.committed({"in-a", 0}) == 30; }));
  EXPECT_EQ(h.stop().exit_code, 0);
  EXPECT_EQ(counter.handled("in-a"), 30u);
  EXPECT_EQ(counter.handled("in-b"), 30u);
  EXPECT_EQ(counter.most_calls(), 1);
}

TEST(RuntimeOperatorPause, ResumingThePipelineLeavesARoutePausedOnItsOwnPaused) {
  CountingHandler counter;
  TestPluginInstance plugin(counter.behaviour());
  PipelineHarness h;
  h.start({plugin.route("a", "in-a", "out"), plugin.route("b", "in-b", "out")}, h.options());
  ASSERT_TRUE(h.pipeline->pause(std::string("a")));
  ASSERT_TRUE(h.pipeline->pause(std::nullopt));
  ASSERT_TRUE(h.pipeline->resume(std::nullopt));
  const auto s = h.pipeline->status();
  EXPECT_FALSE(s.pipeline_paused);
  EXPECT_EQ(s.paused_routes, std::set<std::string>{"a"});
  EXPECT_EQ(h.stop().exit_code, 0);
}

}  // namespace
}  // namespace streamhost::host::testing
