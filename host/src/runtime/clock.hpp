// Time as the runtime sees it. Everything that waits (retry backoff, poll error backoff, the commit
// interval, produce retries) goes through a Clock so tests can replace real waiting with a fake
// clock that jumps to each deadline and records it, instead of asserting on elapsed time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace streamhost::host::runtime {

class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;
  virtual time_point now() const = 0;
  // Blocks until `deadline` passes or `cv` is notified (spurious wake-ups allowed: callers loop on
  // their condition). `lock` holds cv's mutex on entry and on return.
  virtual void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          time_point deadline) = 0;
};

class SteadyClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  time_point deadline) override {
    cv.wait_until(lock, deadline);
  }
};

// The process-wide real clock.
Clock& steady_clock();

}  // namespace streamhost::host::runtime
