// The pipeline's delivery guarantees with in-process Source/Sink doubles: routing, per-key order,
// the commit watermark, FATAL, graceful shutdown and consumer recreation.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

using namespace std::chrono_literals;

TopicPartition tp(const std::string& topic, int32_t partition) {
  return {topic, partition};
}

int64_t max_committed(const FakeSource& source, const TopicPartition& partition) {
  int64_t max = -1;
  for (const auto& c : source.commit_history()) {
    if (c.partition == partition) max = std::max(max, c.next_offset);
  }
  return max;
}

// How many records can finish while `blocked` is stuck in its handler: all but those queued behind
// it on the same worker.
size_t finishable_while_blocked(const std::vector<ConsumedRecord>& records, int64_t blocked,
                                size_t workers) {
  size_t stuck_worker = 0;
  for (const auto& r : records) {
    if (r.offset == blocked) stuck_worker = runtime::WorkerPool::worker_for(r, workers);
  }
  size_t n = 0;
  for (const auto& r : records) {
    if (r.offset < blocked || runtime::WorkerPool::worker_for(r, workers) != stuck_worker) ++n;
  }
  return n;
}

TEST(RuntimePipeline, RoutesEachTopicToItsHandlerAndOutputTopic) {
  TestPluginInstance upper([](const sp::Record& in, sp::Emitter& out) {
    out.emit("upper:" + std::string(in.value()), in.key());
    return sp::Outcome::ok();
  });
  TestPluginInstance redirect([](const sp::Record& in, sp::Emitter& out) {
    out.emit(in.value(), in.key(), "custom-topic");  // a topic override
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  h.source.append({make_record("in-a", 0, 0, "k1", "x"), make_record("in-a", 0, 1, "k2", "y"),
                   make_record("in-b", 0, 0, std::nullopt, "z")});
  h.start({upper.route("a", "in-a", "out-a"), redirect.route("b", "in-b", std::nullopt)},
          h.options());

  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in-a", 0)) == 2; }));
  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in-b", 0)) == 1; }));
  auto out_a = h.sink.produced_to("out-a");
  ASSERT_EQ(out_a.size(), 2u);
  std::set<std::string> values{out_a[0].value, out_a[1].value};
  EXPECT_EQ(values, (std::set<std::string>{"upper:x", "upper:y"}));
  auto custom = h.sink.produced_to("custom-topic");
  ASSERT_EQ(custom.size(), 1u);
  EXPECT_EQ(custom[0].value, "z");
  EXPECT_FALSE(custom[0].key.has_value());
  EXPECT_EQ(h.source.subscribed(), (std::vector<std::string>{"in-a", "in-b"}));
  EXPECT_EQ(h.stop().exit_code, 0);
  EXPECT_EQ(h.registry.counter_value("streamhost_records_in_total", {{"route", "a"}}), 2u);
  EXPECT_EQ(h.registry.counter_value("streamhost_records_out_total", {{"route", "a"}}), 2u);
}

TEST(RuntimePipeline, KeepsPerKeyOrderUnderConcurrency) {
  std::mutex mutex;
  std::map<std::string, std::vector<int64_t>> seen;
  std::map<std::string, int> active;
  std::atomic<bool> overlap{false};
  TestPluginInstance plugin([&](const sp::Record& in, sp::Emitter& out) {
    std::string key(in.key().value_or("null-" + std::to_string(in.partition())));
    {
      std::lock_guard lock(mutex);
      if (++active[key] > 1) overlap.store(true);
      seen[key].push_back(in.offset());
    }
    thread_local std::mt19937 rng(std::random_device{}());
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 300));
    {
      std::lock_guard lock(mutex);
      --active[key];
    }
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  std::vector<ConsumedRecord> records;
  std::map<int32_t, int64_t> next_offset;
  for (int i = 0; i < 400; ++i) {
    int k = i % 13;
    int32_t partition = k % 3;
    std::optional<std::string> key;
    if (k != 12) key = "key-" + std::to_string(k);  // key 12 stands for null keys
    records.push_back(make_record("in", partition, next_offset[partition]++, key, "v"));
  }
  h.source.append(records);
  h.start({plugin.route("r", "in", "out")}, h.options(4));
  ASSERT_TRUE(eventually([&] {
    for (auto& [p, n] : next_offset) {
      if (h.source.committed(tp("in", p)) != n) return false;
    }
    return true;
  }));
  EXPECT_EQ(h.stop().exit_code, 0);
  EXPECT_FALSE(overlap.load()) << "two records with one key ran at the same time";
  size_t total = 0;
  for (auto& [key, offsets] : seen) {
    EXPECT_TRUE(std::is_sorted(offsets.begin(), offsets.end())) << key;
    total += offsets.size();
  }
  EXPECT_EQ(total, 400u);
  EXPECT_EQ(h.sink.produced().size(), 400u);
}

TEST(RuntimePipeline, SlowRecordHoldsBackTheCommitWhileLaterOnesFinish) {
  std::atomic<bool> release{false};
  std::atomic<int> finished{0};
  TestPluginInstance plugin([&](const sp::Record& in, sp::Emitter& out) {
    if (in.offset() == 2) {
      while (!release.load()) std::this_thread::sleep_for(1ms);
    }
    out.emit(in.value(), in.key());
    ++finished;
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  std::vector<ConsumedRecord> records;
  for (int i = 0; i < 10; ++i) {
    records.push_back(make_record("in", 0, i, "key-" + std::to_string(i), "v"));
  }
  h.source.append(records);
  h.start({plugin.route("r", "in", "out")}, h.options(3));

  // Later records on other workers finish while offset 2 is stuck.
  const size_t can_finish = finishable_while_blocked(records, 2, 3);
  ASSERT_GT(can_finish, 2u) << "choose keys that spread over the workers";
  ASSERT_TRUE(eventually([&] {
    return static_cast<size_t>(finished.load()) >= can_finish &&
           h.sink.produced().size() >= can_finish;
  }));
  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in", 0)) == 2; }));
  EXPECT_EQ(max_committed(h.source, tp("in", 0)), 2) << "the commit passed an unfinished record";

  release.store(true);
  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in", 0)) == 10; }));
  EXPECT_EQ(h.stop().exit_code, 0);
}

TEST(RuntimePipeline, FatalStopsWithThePluginsMessageAndCommitsFinishedRecords) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    if (in.offset() == 3) return sp::Outcome::fatal("database schema is wrong");
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  std::vector<ConsumedRecord> records;
  for (int i = 0; i < 6; ++i) records.push_back(make_record("in", 0, i, "same-key", "v"));
  h.source.append(records);
  h.start({plugin.route("r", "in", "out")}, h.options(1));

  auto result = h.join();
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.message.find("database schema is wrong"), std::string::npos) << result.message;
  EXPECT_EQ(h.source.committed(tp("in", 0)), 3);
  EXPECT_TRUE(h.source.closed());
  EXPECT_EQ(h.sink.produced().size(), 3u);
}

TEST(RuntimePipeline, GracefulStopFinishesInFlightRecordsCommitsAndCloses) {
  std::atomic<bool> release{false};
  std::atomic<bool> started{false};
  TestPluginInstance plugin([&](const sp::Record& in, sp::Emitter& out) {
    if (in.offset() == 0) {
      started.store(true);
      while (!release.load()) std::this_thread::sleep_for(1ms);
    }
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  std::vector<ConsumedRecord> records;
  for (int i = 0; i < 5; ++i) records.push_back(make_record("in", 0, i, "k", "v"));
  h.source.append(records);
  h.start({plugin.route("r", "in", "out")}, h.options());
  ASSERT_TRUE(eventually([&] { return started.load(); }));

  h.pipeline->request_stop();
  release.store(true);
  auto result = h.join();
  EXPECT_EQ(result.exit_code, 0) << result.message;
  EXPECT_EQ(h.sink.produced().size(), 5u);
  EXPECT_EQ(h.source.committed(tp("in", 0)), 5);
  EXPECT_TRUE(h.source.closed());
}

TEST(RuntimePipeline, RecreatedConsumerRestartsFromCommittedOffsetsWithoutLoss) {
  std::atomic<bool> release{false};
  std::mutex mutex;
  std::multiset<int64_t> handled;
  TestPluginInstance plugin([&](const sp::Record& in, sp::Emitter& out) {
    if (in.offset() == 2) {
      while (!release.load()) std::this_thread::sleep_for(1ms);
    }
    {
      std::lock_guard lock(mutex);
      handled.insert(in.offset());
    }
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  std::vector<ConsumedRecord> records;
  for (int i = 0; i < 5; ++i)
    records.push_back(make_record("in", 0, i, "k" + std::to_string(i), "v"));
  h.source.append(records);
  h.start({plugin.route("r", "in", "out")}, h.options());
  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in", 0)) == 2; }));
  const size_t can_finish = finishable_while_blocked(records, 2, 2);
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return handled.size() == can_finish;
  }));

  // The proxy lost the instance while offset 2 is still in flight: delivery restarts at 2.
  h.source.recreate_on_next_poll();
  h.source.append({make_record("in", 0, 5, "k5", "v")});
  ASSERT_TRUE(eventually(
      [&] { return h.registry.counter_value("streamhost_source_generation_changes_total") == 1; }));
  release.store(true);
  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in", 0)) == 6; }));
  EXPECT_EQ(h.stop().exit_code, 0);
  std::lock_guard lock(mutex);
  for (int64_t offset = 0; offset < 6; ++offset) {
    EXPECT_GE(handled.count(offset), 1u) << "offset " << offset << " was lost";
  }
}

// Starts `h` holding partitions 0 and 1 of "in", with one record of each handled and committed.
void start_with_two_partitions_committed(PipelineHarness& h, const TestPluginInstance& plugin) {
  h.source.set_assignment(std::vector<TopicPartition>{{"in", 0}, {"in", 1}});
  h.source.append({make_record("in", 0, 0, "a", "x"), make_record("in", 1, 0, "b", "y")});
  h.start({plugin.route("r", "in", "out")}, h.options());
  ASSERT_TRUE(eventually([&] {
    return h.source.committed({"in", 0}) == 1 && h.source.committed({"in", 1}) == 1;
  }));
}

// After a rebalance gave a partition to another member, this host's late commits for it could move
// the group's offset backwards: the runtime commits only what the source still holds.
TEST(RuntimePipeline, APartitionAssignedElsewhereIsNoLongerCommitted) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  ASSERT_NO_FATAL_FAILURE(start_with_two_partitions_committed(h, plugin));
  h.source.set_assignment(std::vector<TopicPartition>{{"in", 0}});  // partition 1 went elsewhere
  h.source.append({make_record("in", 0, 1, "a", "x2"), make_record("in", 1, 1, "b", "y2")});
  ASSERT_TRUE(eventually([&] { return h.source.committed({"in", 0}) == 2; }));
  ASSERT_TRUE(eventually([&] { return h.sink.produced_to("out").size() == 4; }));
  EXPECT_EQ(h.stop().exit_code, 0);  // the final commit too
  EXPECT_EQ(h.source.committed({"in", 1}), 1) << "committed a partition it no longer holds";
  EXPECT_EQ(h.registry.counter_value("streamhost_partitions_revoked_total"), 1u);
}

// The window between the assignment listing and the commit (docs/runtime.md): a rebalance that
// completes in it makes Kafka refuse the commit of the consumer's stale generation. The host must
// then list again (after a poll) rather than send the same offsets, so the lost partition is never
// committed from here.
TEST(RuntimePipeline, ACommitFencedByARebalanceAfterTheListingIsNotSentAgainForTheLostPartition) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  ASSERT_NO_FATAL_FAILURE(start_with_two_partitions_committed(h, plugin));
  h.source.rebalance_after_next_listing({{"in", 0}});  // partition 1 goes elsewhere
  h.source.append({make_record("in", 0, 1, "a", "x2"), make_record("in", 1, 1, "b", "y2")});
  ASSERT_TRUE(eventually([&] { return h.source.committed({"in", 0}) == 2; }));
  EXPECT_EQ(h.stop().exit_code, 0);  // the final commit too
  EXPECT_GE(h.registry.counter_value("streamhost_commit_failures_total"), 1u)
      << "the rebalance was not staged between a listing and a commit";
  EXPECT_EQ(h.source.committed({"in", 1}), 1) << "committed a partition it no longer holds";
  EXPECT_EQ(h.registry.counter_value("streamhost_partitions_revoked_total"), 1u);
}

}  // namespace
}  // namespace streamhost::host::testing
