#include "runtime/offset_tracker.hpp"

#include <algorithm>

namespace streamhost::host::runtime {

bool PartitionTracker::add(int64_t offset) {
  std::lock_guard lock(mutex_);
  if (last_added_ && offset <= *last_added_) return false;
  entries_.push_back({offset, false});
  last_added_ = offset;
  return true;
}

void PartitionTracker::mark_done(int64_t offset) {
  std::lock_guard lock(mutex_);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                             [](const Entry& e, int64_t o) { return e.offset < o; });
  if (it == entries_.end() || it->offset != offset) return;
  it->done = true;
  while (!entries_.empty() && entries_.front().done) entries_.pop_front();
}

std::optional<int64_t> PartitionTracker::committable() const {
  std::lock_guard lock(mutex_);
  if (!entries_.empty()) return entries_.front().offset;
  if (last_added_) return *last_added_ + 1;
  return std::nullopt;
}

std::optional<int64_t> PartitionTracker::last_tracked() const {
  std::lock_guard lock(mutex_);
  return last_added_;
}

size_t PartitionTracker::pending() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace streamhost::host::runtime
