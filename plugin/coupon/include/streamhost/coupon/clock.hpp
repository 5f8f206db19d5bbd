// Injectable monotonic clock, so caches and the circuit breaker are tested without sleeping.
#pragma once

#include <chrono>
#include <functional>

namespace streamhost::coupon {

using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

inline SteadyClock real_steady_clock() {
  return [] { return std::chrono::steady_clock::now(); };
}

}  // namespace streamhost::coupon
