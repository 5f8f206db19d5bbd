// The offset tracking, driven statefully: the fuzz input is a script of operations against a
// model of Kafka and its REST proxy, and the host side is the runtime's real PartitionTracker,
// InFlight/InFlightCounter and PauseBoard, used exactly as the poll thread of
// host/src/runtime/pipeline.cpp uses them (PollLoop below mirrors Pipeline::dispatch,
// rewind_resumed_partitions, on_generation_change and commit_once line for line; change both
// together). Workers, the producer and the handler are replaced by the script, which decides when
// each dispatched record finishes, retries (pausing its partition) or is abandoned, so one input
// replays deterministically in microseconds, without threads.
//
// The script is pairs of bytes, an operation (taken modulo 9) and its argument:
//   0 append 1-8 records to a partition (offsets may skip, as after compaction or transactions);
//     argument bits 0-1 the partition (modulo 3), 2-4 the count - 1, 7 a gap of 1 + bits 5-6
//   1 one poll-loop round: seek resumed partitions, poll up to 1 + (bits 0-3) records, notice a
//     new generation, dispatch, and commit when bit 4 is set
//   2 a dispatched record is done (handler finished, outputs or dead letter acknowledged), in any
//     order; a record in RETRY resumes its partition
//   3 a dispatched record's handler answers RETRY: its partition pauses
//   4 the proxy recreates the consumer (new generation, positions back to the committed offsets)
//   5 a commit round; the argument may make the proxy refuse it (transient)
//   6 the next seek fails (transient)
//   7 the proxy prefetches 1 + (bits 2-4) records past its position in partition bits 0-1
//     (returned first after a seek, see below)
//   8 a crash or FATAL: every record in flight is abandoned, the final commit runs, and a new
//     process starts from the committed offsets
// At the end everything still pending finishes and the loop runs until the proxy is drained.
//
// Invariants, checked on every commit against the model, never against the tracker:
//   - a committed offset never passes a record that is not done (at least once);
//   - committed offsets never move backwards (within a generation, and for the group);
//   - the in-flight count equals the records dispatched and not settled;
//   - after the final drain every partition is committed to its log end (nothing skipped, the
//     watermark never stuck).
//
// After a seek the proxy returns the records it prefetched past its position *before* the records
// at the seek target, as a Confluent REST Proxy can (STREAMHOST_FUZZ_STALE_SEEK=0 turns that off).
// Before runtime::SeekFences the tracker counted the re-read records below them as duplicates and
// committed past them; tests/host/runtime_seek_replay_test.cpp is the same case on the Pipeline.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <streamhost/connector/errors.hpp>
#include <streamhost/connector/record.hpp>
#include <vector>

#include "fuzz_support.hpp"
#include "metrics/metric_types.hpp"
#include "runtime/in_flight.hpp"
#include "runtime/offset_tracker.hpp"
#include "runtime/pause_board.hpp"
#include "runtime/seek_fences.hpp"

namespace {

using namespace streamhost;
namespace rt = streamhost::host::runtime;
using connector::ConsumedRecord;
using connector::PartitionOffset;
using connector::TopicPartition;

constexpr int kPartitions = 3;
constexpr size_t kMaxLog = 200;  // records per partition; bounds the work per input
const std::string kTopic = "in";

bool stale_seek_mode() {
  static const bool on = [] {
    const char* v = std::getenv("STREAMHOST_FUZZ_STALE_SEEK");
    return v == nullptr || std::string(v) != "0";
  }();
  return on;
}

TopicPartition tp_of(int p) {
  return {kTopic, p};
}

std::string where(const TopicPartition& tp) {
  return tp.topic + "/" + std::to_string(tp.partition);
}

// Kafka's log of each partition and the group's committed offsets; the truth the checks use.
struct Kafka {
  std::array<std::vector<int64_t>, kPartitions> log;          // offsets, increasing (gaps allowed)
  std::array<std::optional<int64_t>, kPartitions> committed;  // next offset to consume
  std::array<std::set<int64_t>, kPartitions> not_done;        // offsets never done yet

  void append(int p, int64_t offset) {
    log[p].push_back(offset);
    not_done[p].insert(offset);
  }
  void done(int p, int64_t offset) { not_done[p].erase(offset); }

  int64_t log_end(int p) const { return log[p].empty() ? 0 : log[p].back() + 1; }
  // Index of the first record at or after `offset`.
  size_t index_of(int p, int64_t offset) const {
    return static_cast<size_t>(std::lower_bound(log[p].begin(), log[p].end(), offset) -
                               log[p].begin());
  }
};

// One consumer instance of the REST proxy in front of Kafka.
class Proxy {
 public:
  explicit Proxy(Kafka& kafka) : kafka_(kafka) { reset_positions(); }

  uint64_t generation() const { return generation_; }

  void recreate_on_next_poll() { recreate_pending_ = true; }
  void fail_next_seek() { fail_next_seek_ = true; }
  void fail_next_commit() { fail_next_commit_ = true; }
  void prefetch(int p, size_t n) { prefetched_[p] = n; }

  std::vector<ConsumedRecord> poll(size_t max) {
    if (recreate_pending_) {
      recreate_pending_ = false;
      ++generation_;
      reset_positions();
    }
    std::vector<ConsumedRecord> out;
    for (int p = 0; p < kPartitions && out.size() < max; ++p) {
      auto& stale = stale_[p];
      while (!stale.empty() && out.size() < max) {
        out.push_back(record(p, stale.front()));
        stale.pop_front();
      }
      while (position_[p] < kafka_.log[p].size() && out.size() < max) {
        out.push_back(record(p, position_[p]++));
      }
    }
    return out;
  }

  void seek(const TopicPartition& tp, int64_t next_offset) {
    if (fail_next_seek_) {
      fail_next_seek_ = false;
      throw connector::TransientError("seek refused by the script");
    }
    const int p = tp.partition;
    stale_[p].clear();
    if (stale_seek_mode()) {
      // What the consumer had already fetched past its position comes back first.
      for (size_t i = position_[p]; i < position_[p] + prefetched_[p] && i < kafka_.log[p].size();
           ++i) {
        stale_[p].push_back(i);
      }
    }
    prefetched_[p] = 0;
    position_[p] = kafka_.index_of(p, next_offset);
  }

  // Checks every invariant a commit must keep, then applies it.
  void commit(const std::vector<PartitionOffset>& offsets) {
    if (fail_next_commit_) {
      fail_next_commit_ = false;
      throw connector::TransientError("commit refused by the script");
    }
    for (const auto& o : offsets) {
      const int p = o.partition.partition;
      FUZZ_CHECK(o.partition.topic == kTopic && p >= 0 && p < kPartitions, where(o.partition));
      const int64_t c = o.next_offset;
      FUZZ_CHECK(c <= kafka_.log_end(p), "commit " + std::to_string(c) + " past the log end " +
                                             std::to_string(kafka_.log_end(p)) + " of " +
                                             where(o.partition));
      const auto& pending = kafka_.not_done[p];
      FUZZ_CHECK(pending.empty() || c <= *pending.begin(),
                 "committed " + where(o.partition) + " at " + std::to_string(c) + " past record " +
                     std::to_string(*pending.begin()) + ", which is not done");
      auto& in_generation = committed_in_generation_[p];
      FUZZ_CHECK(!in_generation || c >= *in_generation,
                 "commit of " + where(o.partition) + " moved back from " +
                     std::to_string(*in_generation) + " to " + std::to_string(c) +
                     " within generation " + std::to_string(generation_));
      FUZZ_CHECK(!kafka_.committed[p] || c >= *kafka_.committed[p],
                 "the group's offset of " + where(o.partition) + " moved back from " +
                     std::to_string(*kafka_.committed[p]) + " to " + std::to_string(c));
      in_generation = c;
      kafka_.committed[p] = c;
    }
  }

 private:
  ConsumedRecord record(int p, size_t index) const {
    ConsumedRecord r;
    r.topic = kTopic;
    r.partition = p;
    r.offset = kafka_.log[p][index];
    r.key = "k";
    r.value = "v";
    return r;
  }

  void reset_positions() {
    for (int p = 0; p < kPartitions; ++p) {
      position_[p] = kafka_.committed[p] ? kafka_.index_of(p, *kafka_.committed[p]) : 0;
      stale_[p].clear();
      prefetched_[p] = 0;
      committed_in_generation_[p].reset();
    }
  }

  Kafka& kafka_;
  uint64_t generation_ = 1;
  bool recreate_pending_ = false;
  bool fail_next_seek_ = false;
  bool fail_next_commit_ = false;
  std::array<size_t, kPartitions> position_{};
  std::array<std::deque<size_t>, kPartitions> stale_;
  std::array<size_t, kPartitions> prefetched_{};
  std::array<std::optional<int64_t>, kPartitions> committed_in_generation_;
};

// One host process: the poll thread's bookkeeping as in pipeline.cpp, plus the records in flight
// that the script settles in place of the workers.
class Host {
 public:
  explicit Host(Proxy& proxy, Kafka& kafka)
      : proxy_(proxy), kafka_(kafka), in_flight_(gauge_), generation_(proxy.generation()) {}

  // Pipeline::run's loop body.
  void poll_round(size_t max, bool commit) {
    rewind_resumed_partitions();
    std::vector<ConsumedRecord> batch = proxy_.poll(max);
    const uint64_t generation = proxy_.generation();
    if (generation != generation_) on_generation_change(generation);
    for (auto& record : batch) dispatch(std::move(record));
    if (commit) commit_once();
  }

  // Pipeline::commit_once.
  bool commit_once() {
    std::vector<PartitionOffset> offsets;
    for (const auto& [tp, tracker] : trackers_) {
      auto next = tracker->committable();
      if (!next) continue;
      auto last = last_committed_.find(tp);
      if (last != last_committed_.end() && last->second == *next) continue;
      offsets.push_back({tp, *next});
    }
    if (offsets.empty()) return true;
    try {
      proxy_.commit(offsets);
      for (const auto& o : offsets) last_committed_[o.partition] = o.next_offset;
      return true;
    } catch (const connector::TransientError&) {
      return false;
    }
  }

  // The handler finished and Kafka acknowledged its outputs (or its dead letter).
  void finish(size_t pick) {
    if (pending_.empty()) return;
    const size_t i = pick % pending_.size();
    Pending p = std::move(pending_[i]);
    pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
    kafka_.done(p.record->record.partition, p.record->record.offset);
    in_flight_.settle(*p.record, true);
    if (p.retrying) pauses_.resume(tp_of(p.record->record.partition));
    check_counts();
  }

  void retry(size_t pick) {
    if (pending_.empty()) return;
    Pending& p = pending_[pick % pending_.size()];
    if (p.retrying) return;
    p.retrying = true;
    pauses_.pause(tp_of(p.record->record.partition));
  }

  // Shutdown after a FATAL: workers abandon what they hold, then the final commit.
  void crash() {
    for (auto& p : pending_) {
      in_flight_.settle(*p.record, false);
      if (p.retrying) pauses_.resume(tp_of(p.record->record.partition));
    }
    pending_.clear();
    check_counts();
    commit_once();
  }

  // Finishes everything and runs the loop until the proxy has nothing more for us.
  void drain() {
    for (int round = 0; round < 2 * static_cast<int>(kMaxLog) * kPartitions; ++round) {
      while (!pending_.empty()) finish(0);
      const size_t before = dispatched_;
      poll_round(64, true);
      if (pending_.empty() && rewind_.empty() && dispatched_ == before && proxy_drained()) break;
    }
    while (!pending_.empty()) finish(0);
    commit_once();
  }

 private:
  struct Pending {
    std::shared_ptr<rt::InFlight> record;
    bool retrying = false;
  };

  bool proxy_drained() {
    // A poll that returns nothing, with nothing left to rewind.
    std::vector<ConsumedRecord> more = proxy_.poll(64);
    const bool empty = more.empty();
    for (auto& record : more) dispatch(std::move(record));
    return empty;
  }

  // Pipeline::dispatch (every topic has a route here).
  void dispatch(ConsumedRecord record) {
    TopicPartition tp{record.topic, record.partition};
    const rt::SeekFences::Verdict verdict = fences_.check(tp, record.offset, now_);
    if (verdict.drop) {
      if (verdict.reread_from) rewind_[tp] = *verdict.reread_from;
      return;
    }
    if (pauses_.is_paused(tp) || rewind_.count(tp) != 0) {
      rewind_.try_emplace(tp, record.offset);
      return;
    }
    auto& tracker = trackers_[tp];
    if (!tracker) tracker = std::make_shared<rt::PartitionTracker>();
    if (!tracker->add(record.offset)) return;  // counted as a duplicate
    auto in_flight = std::make_shared<rt::InFlight>();
    in_flight->tracker = tracker;
    in_flight->record = std::move(record);
    in_flight_.add();
    pending_.push_back({std::move(in_flight), false});
    ++dispatched_;
    check_counts();
  }

  // Pipeline::rewind_resumed_partitions.
  void rewind_resumed_partitions() {
    for (auto it = rewind_.begin(); it != rewind_.end();) {
      if (pauses_.is_paused(it->first)) {
        ++it;
        continue;
      }
      try {
        proxy_.seek(it->first, it->second);
        fences_.seeked(it->first, it->second, now_);
        it = rewind_.erase(it);
      } catch (const connector::TransientError&) {
        ++it;
      }
    }
  }

  // Pipeline::on_generation_change.
  void on_generation_change(uint64_t generation) {
    generation_ = generation;
    trackers_.clear();
    last_committed_.clear();
    rewind_.clear();
    fences_.clear();
  }

  void check_counts() const {
    FUZZ_CHECK(in_flight_.count() == pending_.size(),
               "in-flight count " + std::to_string(in_flight_.count()) + " for " +
                   std::to_string(pending_.size()) + " records dispatched and not settled");
  }

  Proxy& proxy_;
  Kafka& kafka_;
  streamhost::host::metrics::Gauge gauge_;
  rt::InFlightCounter in_flight_;
  rt::PauseBoard pauses_;
  uint64_t generation_;
  std::map<TopicPartition, std::shared_ptr<rt::PartitionTracker>> trackers_;
  std::map<TopicPartition, int64_t> last_committed_;
  std::map<TopicPartition, int64_t> rewind_;
  // No time passes in the script, so an overdue target (retention) is not explored here; the log
  // never loses a record the host seeks to.
  const rt::Clock::time_point now_{};
  rt::SeekFences fences_{std::chrono::milliseconds(10000)};
  std::vector<Pending> pending_;
  size_t dispatched_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Reader script(data, size);
  Kafka kafka;
  auto proxy = std::make_unique<Proxy>(kafka);
  auto host = std::make_unique<Host>(*proxy, kafka);

  while (!script.empty()) {
    const uint8_t op = script.byte();
    const uint8_t arg = script.byte();
    switch (op % 9) {
      case 0: {
        const int p = (arg & 3) % kPartitions;
        const int n = 1 + (arg >> 2) % 8;
        for (int i = 0; i < n && kafka.log[p].size() < kMaxLog; ++i) {
          const int64_t gap = (arg & 0x80) && i == 0 ? 1 + (arg >> 5) % 3 : 0;
          kafka.append(p, kafka.log_end(p) + gap);
        }
        break;
      }
      case 1:
        host->poll_round(1 + arg % 16, (arg & 0x10) != 0);
        break;
      case 2:
        host->finish(arg);
        break;
      case 3:
        host->retry(arg);
        break;
      case 4:
        proxy->recreate_on_next_poll();
        break;
      case 5:
        if (arg & 1) proxy->fail_next_commit();
        host->commit_once();
        break;
      case 6:
        proxy->fail_next_seek();
        break;
      case 7:
        proxy->prefetch((arg & 3) % kPartitions, 1 + (arg >> 2) % 8);
        break;
      case 8: {
        host->crash();
        // The new process gets a new consumer instance positioned at the committed offsets.
        host.reset();
        proxy = std::make_unique<Proxy>(kafka);
        host = std::make_unique<Host>(*proxy, kafka);
        break;
      }
    }
  }

  host->drain();
  for (int p = 0; p < kPartitions; ++p) {
    if (kafka.log[p].empty()) continue;
    FUZZ_CHECK(kafka.committed[p] == kafka.log_end(p),
               "after draining, " + where(tp_of(p)) + " is committed at " +
                   (kafka.committed[p] ? std::to_string(*kafka.committed[p]) : "nothing") +
                   ", its log ends at " + std::to_string(kafka.log_end(p)));
    FUZZ_CHECK(kafka.not_done[p].empty(), "record " + where(tp_of(p)) + "@" +
                                              std::to_string(*kafka.not_done[p].begin()) +
                                              " was never done");
  }
  return 0;
}
