#include "runtime/in_flight.hpp"

#include <algorithm>

namespace streamhost::host::runtime {

void InFlightCounter::touch() {
  last_progress_.store(std::chrono::steady_clock::now().time_since_epoch().count());
}

std::chrono::steady_clock::duration InFlightCounter::since_progress() const {
  return std::chrono::steady_clock::now().time_since_epoch() -
         std::chrono::steady_clock::duration(last_progress_.load());
}

namespace {

bool reached(size_t count, size_t bytes, size_t max_records, size_t max_bytes) {
  return (max_records > 0 && count >= max_records) || (max_bytes > 0 && bytes >= max_bytes);
}

}  // namespace

void InFlightCounter::add(size_t bytes) {
  std::lock_guard lock(mutex_);
  if (count_ == 0) touch();
  ++count_;
  bytes_ += bytes;
  publish();
}

void InFlightCounter::publish() {
  gauge_.set(static_cast<double>(count_));
  if (bytes_gauge_ != nullptr) bytes_gauge_->set(static_cast<double>(bytes_));
}

void InFlightCounter::settle(InFlight& record, bool done) {
  if (record.settled.exchange(true)) return;
  touch();
  if (done && record.tracker) record.tracker->mark_done(record.record.offset);
  std::lock_guard lock(mutex_);
  if (count_ > 0) --count_;
  bytes_ -= std::min(bytes_, record.bytes);
  publish();
  idle_.notify_all();
}

bool InFlightCounter::wait_idle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return idle_.wait_until(lock, deadline, [&] { return count_ == 0; });
}

size_t InFlightCounter::count() const {
  std::lock_guard lock(mutex_);
  return count_;
}

size_t InFlightCounter::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

bool InFlightCounter::at_or_above(size_t records, size_t bytes) const {
  std::lock_guard lock(mutex_);
  return reached(count_, bytes_, records, bytes);
}

bool InFlightCounter::wait_below(size_t records, size_t bytes,
                                 std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return idle_.wait_until(lock, deadline, [&] { return !reached(count_, bytes_, records, bytes); });
}

}  // namespace streamhost::host::runtime
