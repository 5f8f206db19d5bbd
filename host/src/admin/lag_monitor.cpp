#include "admin/lag_monitor.hpp"

#include <algorithm>
#include <set>

#include "runtime/log.hpp"

namespace streamhost::host::admin {
namespace {

// How often the thread looks for partitions it has not read yet.
constexpr std::chrono::milliseconds kNewPartitionCheck{1000};

}  // namespace

LagMonitor::LagMonitor(Partitions partitions, Read read, std::chrono::milliseconds interval)
    : partitions_(std::move(partitions)), read_(std::move(read)), interval_(interval) {
  thread_ = std::thread([this] { run(); });
}

LagMonitor::~LagMonitor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::map<connector::TopicPartition, LogEnd> LagMonitor::current() const {
  std::lock_guard lock(mutex_);
  return ends_;
}

void LagMonitor::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    refresh();
    lock.lock();
    wake_.wait_for(lock, std::min(interval_, kNewPartitionCheck), [this] { return stopping_; });
  }
}

void LagMonitor::refresh() {
  std::vector<connector::TopicPartition> held;
  try {
    held = partitions_();
  } catch (const std::exception&) {
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  std::map<connector::TopicPartition, LogEnd> previous = current();
  std::map<connector::TopicPartition, LogEnd> next;
  std::string first_error;
  bool attempted = false;
  for (const auto& tp : held) {
    LogEnd entry = previous.count(tp) != 0 ? previous[tp] : LogEnd{};
    const bool due = previous.count(tp) == 0 || now - entry.read_at >= interval_;
    if (due) {
      attempted = true;
      entry.read_at = now;
      try {
        const connector::LogOffsets offsets = read_(tp);
        entry.end_offset = offsets.end;
        entry.beginning_offset = offsets.beginning;
        entry.read_ok_at = now;
        entry.error.clear();
      } catch (const std::exception& e) {
        entry.error = e.what();
        if (first_error.empty()) first_error = entry.error;
      }
    }
    next[tp] = std::move(entry);
    std::lock_guard lock(mutex_);
    if (stopping_) return;
  }
  if (!first_error.empty() && !failing_) {
    log::warn("admin", "reading log-end offsets for lag failed; lag figures may be stale",
              {{"error", first_error}});
  }
  // Only a round that read something says whether the outage is over: most rounds read nothing
  // (no partition is due), and those must not re-arm the warning (one per outage, not one per
  // lag_interval).
  if (attempted) failing_ = !first_error.empty();
  std::lock_guard lock(mutex_);
  ends_ = std::move(next);
}

}  // namespace streamhost::host::admin
