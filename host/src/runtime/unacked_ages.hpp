// When each output of one kind still waiting for Kafka's acknowledgement was handed to the
// producer, so a metric can show how long the oldest has waited (the dead letters: each holds its
// partition's commit back until it is acknowledged). Thread-safe: the producer thread adds and
// removes, the scraping thread reads.
#pragma once

#include <mutex>
#include <optional>
#include <set>

#include "runtime/clock.hpp"

namespace streamhost::host::runtime {

class UnackedAges {
 public:
  explicit UnackedAges(Clock& clock) : clock_(&clock) {}

  void add(Clock::time_point submitted) {
    std::lock_guard lock(mutex_);
    submitted_.insert(submitted);
  }
  void remove(Clock::time_point submitted) {
    std::lock_guard lock(mutex_);
    auto it = submitted_.find(submitted);
    if (it != submitted_.end()) submitted_.erase(it);
  }
  // Seconds since the oldest was handed over; 0 when none waits or after detach().
  double oldest_seconds() const {
    std::lock_guard lock(mutex_);
    if (clock_ == nullptr || submitted_.empty()) return 0;
    return std::chrono::duration<double>(clock_->now() - *submitted_.begin()).count();
  }
  // The clock may go away after this (its owner is stopping); oldest_seconds() is 0 from now on.
  void detach() {
    std::lock_guard lock(mutex_);
    clock_ = nullptr;
    submitted_.clear();
  }

 private:
  mutable std::mutex mutex_;
  Clock* clock_;
  std::multiset<Clock::time_point> submitted_;
};

}  // namespace streamhost::host::runtime
