// The per-partition offset watermark. A record is "done" when its handler finished and every output
// (or its dead-letter envelope) was acknowledged. The committable position of a partition is the
// first offset that is not done yet, or last tracked + 1 when everything is done, so a commit never
// passes an unfinished record even when later records finish first.
//
// Thread-safety: add() is called by the poll thread, mark_done() by whichever thread saw the last
// acknowledgement, committable() by the poll thread; one small mutex per partition.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace streamhost::host::runtime {

class PartitionTracker {
 public:
  // Starts tracking `offset`. Offsets must grow; returns false (and tracks nothing) for an offset
  // at or below the last one tracked, i.e. a record already dispatched in this generation.
  bool add(int64_t offset);
  // Marks a tracked offset done; unknown offsets are ignored.
  void mark_done(int64_t offset);
  // The next offset to consume that is safe to commit, or nullopt before anything was tracked.
  std::optional<int64_t> committable() const;
  // The highest offset handed to a handler so far, or nullopt (GET /pipeline/partitions).
  std::optional<int64_t> last_tracked() const;
  size_t pending() const;

 private:
  struct Entry {
    int64_t offset;
    bool done;
  };
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;  // sorted by offset; the front is the first not-done record
  std::optional<int64_t> last_added_;
};

}  // namespace streamhost::host::runtime
