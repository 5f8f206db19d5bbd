// Fails fast while a dependency keeps failing: opens after `failure_threshold` consecutive failed
// calls, stays open for `open_for`, then lets one trial call through (half-open): its success
// closes the breaker, its failure opens it again.
#pragma once

#include <chrono>
#include <mutex>
#include <streamhost/coupon/clock.hpp>

namespace streamhost::coupon {

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  CircuitBreaker(int failure_threshold, std::chrono::milliseconds open_for,
                 SteadyClock clock = real_steady_clock());

  // Whether a call may go ahead now. In half-open state only one caller gets true until that trial
  // reports its result. Thread-safe.
  bool allow();
  void record_success();
  void record_failure();
  State state() const;

 private:
  const int threshold_;
  const std::chrono::milliseconds open_for_;
  SteadyClock clock_;
  mutable std::mutex mutex_;
  State state_ = State::kClosed;
  int consecutive_failures_ = 0;
  bool trial_in_flight_ = false;
  std::chrono::steady_clock::time_point opened_at_{};
};

}  // namespace streamhost::coupon
