#include "runtime/seek_fences.hpp"

namespace streamhost::host::runtime {

void SeekFences::seeked(const connector::TopicPartition& tp, int64_t target,
                        Clock::time_point now) {
  fences_[tp] = Fence{target, now, std::nullopt};
}

SeekFences::Verdict SeekFences::check(const connector::TopicPartition& tp, int64_t offset,
                                      Clock::time_point now) {
  auto it = fences_.find(tp);
  if (it == fences_.end()) return {};
  Fence& f = it->second;
  if (offset <= f.target) {
    fences_.erase(it);  // the target arrived: the position is where the seek put it
    return {};
  }
  if (!f.lowest_dropped || offset < *f.lowest_dropped) f.lowest_dropped = offset;
  Verdict verdict{true, std::nullopt};
  if (now - f.since >= timeout_) {
    verdict.reread_from = *f.lowest_dropped;
    fences_.erase(it);
  }
  return verdict;
}

}  // namespace streamhost::host::runtime
