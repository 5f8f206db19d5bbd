// What an operator sees of the proxy hop with in-process doubles: a poll the proxy never answers
// turns the pipeline STALLED (and back), the poll age, the committed offset kept across a consumer
// re-creation, and the in-flight gauges going back to 0 when records finish.
#include <gtest/gtest.h>

#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

using namespace std::chrono_literals;
using runtime::PipelineState;

TestPluginInstance echo_plugin() {
  return TestPluginInstance([](const sp::Record& in, sp::Emitter& out) {
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
}

double gauge(metrics::Registry& r, const std::string& name) {
  return r.gauge(name, "").value();
}

// A frozen proxy fails nothing: the poll just does not come back. The doubled poll blocks until
// released, as a request to a stopped process does until the connector's timeout.
TEST(RuntimeProxyStall, APollTheProxyDoesNotAnswerMakesThePipelineStalledUntilItReturns) {
  TestPluginInstance plugin = echo_plugin();
  PipelineHarness h;
  auto options = h.options();
  options.stall_after = 200ms;
  h.start({plugin.route("r", "in", "out")}, options);
  ASSERT_TRUE(eventually([&] { return h.source.polls() > 2; }));
  EXPECT_EQ(h.pipeline->status().state.state, PipelineState::kRunning);

  std::atomic<bool> release{false};
  h.source.fail_next_poll([&] {
    while (!release.load()) std::this_thread::sleep_for(1ms);
  });
  ASSERT_TRUE(
      eventually([&] { return h.pipeline->status().state.state == PipelineState::kStalled; }));
  const runtime::PipelineStatus stalled = h.pipeline->status();
  EXPECT_EQ(stalled.health.stalled_call, "poll");
  EXPECT_GE(stalled.health.stalled_for, 200ms);
  EXPECT_GE(stalled.health.since_poll_ok, 200ms);
  EXPECT_NE(stalled.state.reason.find("no answer from the REST proxy to the poll request for"),
            std::string::npos)
      << stalled.state.reason;

  release.store(true);
  ASSERT_TRUE(
      eventually([&] { return h.pipeline->status().state.state == PipelineState::kRunning; }));
  EXPECT_LT(h.pipeline->health().since_poll_ok, 200ms);
  EXPECT_EQ(h.stop().exit_code, 0);
}

TEST(RuntimeProxyStall, StalledIsNamedBeforePausedAndAfterFailed) {
  runtime::StateInputs in;
  in.pipeline_paused = true;
  in.stalled_call = "commit";
  in.stalled_for = 4200ms;
  EXPECT_EQ(runtime::derive_state(in).state, PipelineState::kStalled);
  EXPECT_EQ(runtime::derive_state(in).reason,
            "no answer from the REST proxy to the commit request for 4.2 s (including the "
            "connector's retries)");
  in.fatal_message = "boom";
  EXPECT_EQ(runtime::derive_state(in).state, PipelineState::kFailed);
}

TEST(RuntimeProxyStall, TheCommittedOffsetIsStillShownAfterTheConsumerIsRecreated) {
  TestPluginInstance plugin = echo_plugin();
  PipelineHarness h;
  h.source.set_assignment(std::vector<TopicPartition>{{"in", 0}});
  h.source.append({make_record("in", 0, 0, "a", "x"), make_record("in", 0, 1, "b", "y")});
  h.start({plugin.route("r", "in", "out")}, h.options());
  auto committed_shown = [&]() -> std::optional<int64_t> {
    for (const auto& p : h.pipeline->status().partitions) {
      if (p.partition == TopicPartition{"in", 0}) return p.committed;
    }
    return std::nullopt;
  };
  ASSERT_TRUE(eventually([&] { return committed_shown() == 2; }));

  h.source.recreate_on_next_poll();
  ASSERT_TRUE(eventually(
      [&] { return h.registry.counter_value("streamhost_source_generation_changes_total") == 1; }));
  // Nothing new to commit after the re-creation: the group's offset is still 2, and so is the
  // figure.
  std::this_thread::sleep_for(300ms);  // several status publications (every 250 ms)
  EXPECT_EQ(committed_shown(), 2);
  EXPECT_EQ(h.stop().exit_code, 0);
}

// After a re-creation the trackers are gone; a partition that then moves to another member must
// not keep its shown offset, or it shows that stale figure when it comes back (its new owner may
// have committed further meanwhile).
TEST(RuntimeProxyStall, APartitionThatLeavesAfterARecreationComesBackWithoutItsOldOffset) {
  TestPluginInstance plugin = echo_plugin();
  PipelineHarness h;
  h.source.set_assignment(std::vector<TopicPartition>{{"in", 0}});
  h.source.append({make_record("in", 0, 0, "a", "x"), make_record("in", 0, 1, "b", "y")});
  auto options = h.options();
  options.assignment_refresh = 20ms;
  h.start({plugin.route("r", "in", "out")}, options);
  auto shown = [&]() -> std::optional<std::optional<int64_t>> {
    for (const auto& p : h.pipeline->status().partitions) {
      if (p.partition == TopicPartition{"in", 0}) return p.committed;
    }
    return std::nullopt;  // the partition is not listed at all
  };
  ASSERT_TRUE(eventually([&] { return shown() == std::optional<std::optional<int64_t>>(2); }));

  h.source.recreate_on_next_poll();
  ASSERT_TRUE(eventually(
      [&] { return h.registry.counter_value("streamhost_source_generation_changes_total") == 1; }));
  h.source.set_assignment(std::vector<TopicPartition>{{"in", 1}});
  ASSERT_TRUE(eventually([&] { return !shown().has_value(); }));
  std::this_thread::sleep_for(100ms);  // several listings without partition 0
  h.source.set_assignment(std::vector<TopicPartition>{{"in", 0}, {"in", 1}});
  ASSERT_TRUE(eventually([&] { return shown().has_value(); }));
  std::this_thread::sleep_for(300ms);  // several status publications (every 250 ms)
  EXPECT_EQ(shown(), std::optional<std::optional<int64_t>>(std::optional<int64_t>{}))
      << "the offset committed before the partition left is shown again";
  EXPECT_EQ(h.stop().exit_code, 0);
}

TEST(RuntimeProxyStall, InFlightGaugesReadZeroOnceEveryRecordHasFinished) {
  TestPluginInstance plugin = echo_plugin();
  PipelineHarness h;
  h.source.append({make_record("in", 0, 0, "key", std::string(100, 'v')),
                   make_record("in", 0, 1, "key", std::string(50, 'w'))});
  h.start({plugin.route("r", "in", "out")}, h.options());
  ASSERT_TRUE(eventually([&] { return h.source.committed({"in", 0}) == 2; }));
  EXPECT_EQ(gauge(h.registry, "streamhost_in_flight_records"), 0.0);
  EXPECT_EQ(gauge(h.registry, "streamhost_in_flight_bytes"), 0.0);
  EXPECT_EQ(h.stop().exit_code, 0);
}

// The partitions a host reads are logged at every change of the listing, and only then.
TEST(RuntimeProxyStall, TheAssignmentIsLoggedAtEveryChange) {
  TestPluginInstance plugin = echo_plugin();
  PipelineHarness h;
  h.source.set_assignment(std::vector<TopicPartition>{{"in", 1}, {"in", 0}});
  h.source.append({make_record("in", 0, 0, "a", "x")});
  auto options = h.options();
  options.assignment_refresh = 20ms;
  ::testing::internal::CaptureStderr();
  h.start({plugin.route("r", "in", "out")}, options);
  ASSERT_TRUE(eventually([&] { return h.source.committed({"in", 0}) == 1; }));
  std::this_thread::sleep_for(100ms);  // several listings of the same assignment
  h.source.set_assignment(std::vector<TopicPartition>{{"in", 1}});
  ASSERT_TRUE(eventually([&] {
    for (const auto& p : h.pipeline->status().partitions) {
      if (p.partition == TopicPartition{"in", 0}) return false;
    }
    return true;
  }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(h.stop().exit_code, 0);
  const std::string log = ::testing::internal::GetCapturedStderr();
  auto count = [&](const std::string& text) {
    size_t n = 0;
    for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("msg=\"partitions assigned to this host\""), 2u) << log;
  EXPECT_EQ(count("partitions=in/0,in/1 count=2"), 1u) << log;
  EXPECT_EQ(count("partitions=in/1 count=1"), 1u) << log;
}

}  // namespace
}  // namespace streamhost::host::testing
