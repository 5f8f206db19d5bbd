// Found by the offset_tracking fuzz harness (tests/fuzz/offset_tracking_fuzz.cpp): after a seek, a
// REST proxy may still return the records it had already fetched past the seek target first. The
// runtime used to track those, count the re-read records below them as duplicates (the tracker
// refuses offsets at or below the last one it tracked), never hand them to the handler, and commit
// past them: records lost. The runtime now drops records past a seek target until the target
// arrives (docs/runtime.md, "After a seek").
#include <gtest/gtest.h>

#include <set>

#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

using namespace std::chrono_literals;

// One partition, offsets 0..29, behind a proxy that behaves like a Confluent REST Proxy whose
// consumer had prefetched records when the host seeks:
//   poll 1: 0..9;  poll 2 (once the host paused the partition): 10..19, which the host drops;
//   then nothing while it prefetches 20..29; after seek(10): first the prefetched 20..29, then
//   10..19 and 20..29 again from the seek target, then nothing.
class StaleAfterSeekSource : public connector::Source {
 public:
  explicit StaleAfterSeekSource(std::function<bool()> paused) : paused_(std::move(paused)) {}

  void subscribe(const std::vector<std::string>&) override { generation_ = 1; }

  std::vector<ConsumedRecord> poll(std::chrono::milliseconds) override {
    std::unique_lock lock(mutex_);
    ++polls_;
    if (polls_ == 2) {
      lock.unlock();
      for (int i = 0; i < 1000 && !paused_(); ++i) std::this_thread::sleep_for(5ms);
      lock.lock();
    }
    std::vector<ConsumedRecord> out;
    if (!stale_.empty()) {
      out.swap(stale_);
      return out;
    }
    if (polls_ > 2 && !seeked_) {
      lock.unlock();
      std::this_thread::sleep_for(2ms);  // the proxy is still fetching 20..29
      return out;
    }
    while (position_ < 30 && out.size() < 10) out.push_back(record(position_++));
    if (out.empty()) std::this_thread::sleep_for(2ms);
    return out;
  }

  void commit(const std::vector<connector::PartitionOffset>& offsets) override {
    std::lock_guard lock(mutex_);
    for (const auto& o : offsets) committed_ = o.next_offset;
  }

  void seek(const TopicPartition&, int64_t next_offset) override {
    std::lock_guard lock(mutex_);
    if (!seeked_) {
      for (int64_t o = 20; o < 30; ++o) stale_.push_back(record(o));  // fetched before the seek
    }
    seeked_ = true;
    position_ = next_offset;
  }

  void close() noexcept override {}
  uint64_t generation() const override { return generation_; }
  connector::ConnectorStats stats() const override { return {}; }

  std::optional<int64_t> committed() const {
    std::lock_guard lock(mutex_);
    return committed_;
  }
  bool seeked() const {
    std::lock_guard lock(mutex_);
    return seeked_;
  }
  int polls() const {
    std::lock_guard lock(mutex_);
    return polls_;
  }

 private:
  static ConsumedRecord record(int64_t offset) {
    return make_record("in", 0, offset, "k" + std::to_string(offset), "v");
  }

  std::function<bool()> paused_;
  mutable std::mutex mutex_;
  int polls_ = 0;
  int64_t position_ = 0;
  bool seeked_ = false;
  std::vector<ConsumedRecord> stale_;
  std::optional<int64_t> committed_;
  uint64_t generation_ = 0;
};

TEST(RuntimeSeek, RecordsReReadAfterASeekBelowPrefetchedOnesAreHandledNotSkipped) {
  metrics::Registry registry;
  RetryPauseWatch pause_watch(registry);
  std::mutex mutex;
  std::set<int64_t> handled;
  StaleAfterSeekSource source([&] { return pause_watch.seen(); });
  // Offset 3 asks to retry until the records polled while its partition was paused (10..19) were
  // dropped, so the partition is read again from 10 by a seek.
  TestPluginInstance plugin([&](const sp::Record& in, sp::Emitter& out) {
    if (in.offset() == 3 && source.polls() < 3) return sp::Outcome::retry("scorer unavailable");
    {
      std::lock_guard lock(mutex);
      handled.insert(in.offset());
    }
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  FakeSink sink;
  JumpingClock clock;
  runtime::PipelineOptions options = single_worker_retrying_options(clock);
  runtime::Pipeline pipeline(source, sink, {plugin.route("r", "in", "out")}, options, registry);
  std::thread thread([&] { pipeline.run(); });

  const bool committed_all = eventually([&] { return source.committed() == 30; });
  pipeline.request_stop();
  thread.join();

  ASSERT_TRUE(source.seeked()) << "the partition was never paused and rewound";
  ASSERT_TRUE(committed_all) << "committed " << source.committed().value_or(-1);
  std::lock_guard lock(mutex);
  std::vector<int64_t> lost;
  for (int64_t o = 0; o < 30; ++o) {
    if (handled.count(o) == 0) lost.push_back(o);
  }
  EXPECT_TRUE(lost.empty()) << "offset 30 was committed but " << lost.size()
                            << " records were never handled, the first " << lost.front()
                            << " (counted as duplicates after the seek)";
}

// The target deleted by retention while the partition waited: the records that do come are not
// dropped forever; after the timeout the partition reads again from the lowest of them.
TEST(SeekFences, DropsRecordsPastTheTargetUntilItArrivesOrIsOverdue) {
  runtime::SeekFences fences(1000ms);
  const TopicPartition tp{"in", 0};
  const runtime::Clock::time_point t0{std::chrono::seconds(100)};
  EXPECT_FALSE(fences.check(tp, 50, t0).drop) << "no seek: nothing dropped";

  fences.seeked(tp, 10, t0);
  EXPECT_TRUE(fences.check(tp, 20, t0).drop) << "prefetched before the seek";
  EXPECT_FALSE(fences.check(tp, 10, t0).drop) << "the target";
  EXPECT_FALSE(fences.check(tp, 21, t0).drop) << "in order after the target";

  fences.seeked(tp, 10, t0);
  auto v = fences.check(tp, 17, t0 + 500ms);
  EXPECT_TRUE(v.drop);
  EXPECT_FALSE(v.reread_from);
  v = fences.check(tp, 15, t0 + 1000ms);
  EXPECT_TRUE(v.drop);
  EXPECT_EQ(v.reread_from, 15) << "overdue: read again from the lowest offset that came";
  EXPECT_FALSE(fences.check(tp, 16, t0 + 1001ms).drop) << "the fence is gone";

  fences.seeked(tp, 10, t0);
  fences.clear();
  EXPECT_FALSE(fences.check(tp, 30, t0).drop) << "a new generation starts afresh";
}

}  // namespace
}  // namespace streamhost::host::testing
