#include "runtime/in_flight.hpp"

namespace streamhost::host::runtime {

void InFlightCounter::touch() {
  last_progress_.store(std::chrono::steady_clock::now().time_since_epoch().count());
}

std::chrono::steady_clock::duration InFlightCounter::since_progress() const {
  return std::chrono::steady_clock::now().time_since_epoch() -
         std::chrono::steady_clock::duration(last_progress_.load());
}

void InFlightCounter::add() {
  std::lock_guard lock(mutex_);
  if (count_ == 0) touch();
  ++count_;
  gauge_.set(static_cast<double>(count_));
}

void InFlightCounter::settle(InFlight& record, bool done) {
  if (record.settled.exchange(true)) return;
  touch();
  if (done && record.tracker) record.tracker->mark_done(record.record.offset);
  std::lock_guard lock(mutex_);
  if (count_ > 0) --count_;
  gauge_.set(static_cast<double>(count_));
  if (count_ == 0) idle_.notify_all();
}

bool InFlightCounter::wait_idle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return idle_.wait_until(lock, deadline, [&] { return count_ == 0; });
}

size_t InFlightCounter::count() const {
  std::lock_guard lock(mutex_);
  return count_;
}

}  // namespace streamhost::host::runtime
