// The log-end offsets behind the lag figures: read on the monitor's own thread, answered from
// memory even while a read hangs, the previous value kept (with the error) when a read fails.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <streamhost/connector/errors.hpp>
#include <thread>

#include "admin/lag_monitor.hpp"

namespace streamhost::host::admin {
namespace {

using connector::TopicPartition;
using namespace std::chrono_literals;

const TopicPartition kP0{"t", 0};
const TopicPartition kP1{"t", 1};

// Polls until `condition` holds or about 15 s pass (a hang guard, not a speed assertion).
bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 1500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

TEST(LagMonitor, ReadsEachHeldPartitionAndKeepsTheLastValueWhenAReadFails) {
  std::atomic<int> reads_of_p1{0};
  LagMonitor monitor(
      [] {
        return std::vector<TopicPartition>{{"t", 0}, {"t", 1}};
      },
      [&](const TopicPartition& tp) -> connector::LogOffsets {
        if (tp.partition == 1 && reads_of_p1.fetch_add(1) > 0) {
          throw connector::TransientError(
              "GET /topics/t/partitions/1/offsets: "
              "timed out");
        }
        return {0, 100 + tp.partition};
      },
      1000ms);
  ASSERT_TRUE(eventually([&] { return monitor.current().size() == 2; }));
  auto ends = monitor.current();
  EXPECT_EQ(ends[kP0].end_offset, 100);
  EXPECT_EQ(ends[kP1].end_offset, 101);
  EXPECT_EQ(ends[kP1].error, "");
  // The next round's read of partition 1 fails: its last value stays, with the error.
  ASSERT_TRUE(eventually([&] { return !monitor.current()[kP1].error.empty(); }));
  ends = monitor.current();
  EXPECT_EQ(ends[kP1].end_offset, 101);
  EXPECT_EQ(ends[kP1].error, "GET /topics/t/partitions/1/offsets: timed out");
  EXPECT_EQ(ends[kP0].error, "");
}

// admin-api.md promises one warning per outage; rounds in which no partition was due (the monitor
// looks every second, reads every lag_interval) used to end the "outage", so a warning came at
// every interval.
TEST(LagMonitor, AnOutageIsWarnedOnceNotAtEveryInterval) {
  std::atomic<int> reads{0};
  ::testing::internal::CaptureStderr();
  {
    LagMonitor monitor(
        [] {
          return std::vector<TopicPartition>{{"t", 0}};
        },
        [&](const TopicPartition&) -> connector::LogOffsets {
          reads.fetch_add(1);
          throw connector::TransientError("proxy down");
        },
        1200ms);
    ASSERT_TRUE(eventually([&] { return reads.load() >= 3; }));  // three failed reads
  }
  const std::string log = ::testing::internal::GetCapturedStderr();
  size_t warnings = 0;
  for (size_t at = log.find("lag figures may be stale"); at != std::string::npos;
       at = log.find("lag figures may be stale", at + 1)) {
    ++warnings;
  }
  EXPECT_EQ(warnings, 1u) << log;
}

TEST(LagMonitor, AnswersFromMemoryWhileAReadHangsAndForgetsPartitionsNoLongerHeld) {
  std::mutex mutex;
  std::condition_variable released;
  bool release = false;
  std::atomic<bool> hanging{false};
  std::atomic<bool> hold_p0{true};
  LagMonitor monitor(
      [&] {
        std::vector<TopicPartition> held{{"t", 1}};
        if (hold_p0.load()) held.push_back({"t", 0});
        return held;
      },
      [&](const TopicPartition& tp) -> connector::LogOffsets {
        if (tp.partition == 0) {
          hanging.store(true);
          std::unique_lock lock(mutex);
          released.wait(lock, [&] { return release; });
        }
        return {0, 7};
      },
      1000ms);
  ASSERT_TRUE(eventually([&] { return hanging.load(); }));
  // The read of partition 0 hangs on the monitor's thread; the caller still gets an answer at once.
  const auto during = monitor.current();
  EXPECT_TRUE(during.count(kP0) == 0);
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  released.notify_all();
  ASSERT_TRUE(eventually([&] { return monitor.current().size() == 2; }));
  hold_p0.store(false);  // a rebalance gave partition 0 to another member
  ASSERT_TRUE(eventually([&] { return monitor.current().size() == 1; }));
  EXPECT_EQ(monitor.current().begin()->first, kP1);
}

}  // namespace
}  // namespace streamhost::host::admin
