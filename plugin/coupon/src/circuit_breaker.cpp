#include <streamhost/coupon/circuit_breaker.hpp>

namespace streamhost::coupon {

CircuitBreaker::CircuitBreaker(int failure_threshold, std::chrono::milliseconds open_for,
                               SteadyClock clock)
    : threshold_(failure_threshold < 1 ? 1 : failure_threshold),
      open_for_(open_for),
      clock_(std::move(clock)) {}

bool CircuitBreaker::allow() {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (clock_() - opened_at_ < open_for_) return false;
      state_ = State::kHalfOpen;
      trial_in_flight_ = true;
      return true;
    case State::kHalfOpen:
      if (trial_in_flight_) return false;
      trial_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::record_success() {
  std::lock_guard lock(mutex_);
  state_ = State::kClosed;
  consecutive_failures_ = 0;
  trial_in_flight_ = false;
}

void CircuitBreaker::record_failure() {
  std::lock_guard lock(mutex_);
  trial_in_flight_ = false;
  if (state_ == State::kHalfOpen || ++consecutive_failures_ >= threshold_) {
    state_ = State::kOpen;
    opened_at_ = clock_();
  }
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

}  // namespace streamhost::coupon
