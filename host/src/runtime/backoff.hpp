// Exponential backoff: initial, initial*multiplier, ... capped at max. Pure arithmetic, no waiting.
#pragma once

#include <algorithm>
#include <chrono>

namespace streamhost::host::runtime {

class ExponentialBackoff {
 public:
  ExponentialBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                     double multiplier)
      : initial_(std::max<std::chrono::milliseconds>(initial, std::chrono::milliseconds(1))),
        max_(std::max(max, initial_)),
        multiplier_(multiplier < 1.0 ? 1.0 : multiplier),
        next_(initial_) {}

  // The delay before the next attempt; each call grows the following one.
  std::chrono::milliseconds next() {
    auto current = next_;
    double grown = static_cast<double>(next_.count()) * multiplier_;
    next_ = grown >= static_cast<double>(max_.count())
                ? max_
                : std::chrono::milliseconds(static_cast<int64_t>(grown));
    return current;
  }
  void reset() { next_ = initial_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  double multiplier_;
  std::chrono::milliseconds next_;
};

}  // namespace streamhost::host::runtime
