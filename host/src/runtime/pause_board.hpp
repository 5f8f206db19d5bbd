// Which partitions are paused because one of their records is in RETRY. Workers pause and resume;
// the poll thread reads it to stop dispatching that partition and to learn when to seek back.
#pragma once

#include <map>
#include <mutex>
#include <streamhost/connector/record.hpp>
#include <vector>

namespace streamhost::host::runtime {

class PauseBoard {
 public:
  // Counted: two records of one partition retrying on two workers pause it until both resumed.
  void pause(const connector::TopicPartition& tp) {
    std::lock_guard lock(mutex_);
    ++paused_[tp];
  }
  void resume(const connector::TopicPartition& tp) {
    std::lock_guard lock(mutex_);
    auto it = paused_.find(tp);
    if (it != paused_.end() && --it->second <= 0) paused_.erase(it);
  }
  bool is_paused(const connector::TopicPartition& tp) const {
    std::lock_guard lock(mutex_);
    return paused_.count(tp) != 0;
  }
  size_t paused_count() const {
    std::lock_guard lock(mutex_);
    return paused_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::map<connector::TopicPartition, int> paused_;
};

}  // namespace streamhost::host::runtime
