// Which records to drop after a seek. A proxy may still hand out records it fetched before the
// seek, past the target, ahead of the target itself (a Confluent REST Proxy can). Tracked, they
// would make the re-read records below them look like duplicates and let the watermark pass
// records no handler saw. So a seeked partition drops records past its target until the target (or
// anything at or below it) arrives. If the target never comes (retention deleted it) while later
// records do, after `timeout` the partition is to be read again from the lowest offset that came.
//
// Poll-thread only; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <streamhost/connector/record.hpp>

#include "runtime/clock.hpp"

namespace streamhost::host::runtime {

class SeekFences {
 public:
  explicit SeekFences(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  struct Verdict {
    bool drop = false;
    // Set once the target is overdue: seek here and call seeked() again.
    std::optional<int64_t> reread_from;
  };

  // The partition's next records should start at `target`.
  void seeked(const connector::TopicPartition& tp, int64_t target, Clock::time_point now);
  // What to do with a record of `tp` at `offset` polled at `now`.
  Verdict check(const connector::TopicPartition& tp, int64_t offset, Clock::time_point now);
  // A new consumer generation starts from the committed offsets: no seek is pending.
  void clear() { fences_.clear(); }
  // The partition went to another member.
  void forget(const connector::TopicPartition& tp) { fences_.erase(tp); }

 private:
  struct Fence {
    int64_t target;
    Clock::time_point since;
    std::optional<int64_t> lowest_dropped;
  };
  std::chrono::milliseconds timeout_;
  std::map<connector::TopicPartition, Fence> fences_;
};

}  // namespace streamhost::host::runtime
