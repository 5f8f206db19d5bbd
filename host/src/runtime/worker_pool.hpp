// The worker threads that run handlers. A record goes to worker hash(key) % n (a null key: by
// topic and partition), so records with one key run one at a time in offset order while different
// keys run in parallel.
//
// RETRY never blocks a worker: the record is parked with its due time, the partition is paused
// (PauseBoard), and the worker keeps running records of other partitions. Records of the paused
// partition that were already queued on this worker are parked behind it, so per-key order holds.
// When the retry finally succeeds (or is rejected), the parked records run first, in order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "manifest/manifest.hpp"
#include "runtime/backoff.hpp"
#include "runtime/clock.hpp"
#include "runtime/crash_journal.hpp"
#include "runtime/in_flight.hpp"
#include "runtime/output_producer.hpp"
#include "runtime/pause_board.hpp"

namespace streamhost::host::runtime {

struct CrashCause;

struct WorkerContext {
  Clock* clock = nullptr;
  RetrySpec retry;
  std::string dead_letter_topic;
  PipelineMetrics* metrics = nullptr;
  PauseBoard* pauses = nullptr;
  InFlightCounter* in_flight = nullptr;
  OutputProducer* producer = nullptr;
  std::function<void(const std::string&)> fatal;
  // Set once the pipeline is stopping after a FATAL: workers start no further handler call.
  const std::atomic<bool>* halted = nullptr;
  // Largest dead-letter envelope; a bigger one is truncated (see dead_letter.hpp).
  size_t dead_letter_max_bytes = 0;
  // Records in handlers, for the crash signal handler, and the records it quarantines; nullptr:
  // no state_dir, no crash containment.
  CrashJournal* crash_journal = nullptr;
};

class Worker;

class WorkerPool {
 public:
  WorkerPool(size_t workers, WorkerContext context);
  ~WorkerPool();

  void start();
  void dispatch(std::shared_ptr<InFlight> record);
  // Graceful stop: run what is queued, abandon what is parked for RETRY, then exit.
  void drain();
  // FATAL or deadline: abandon queued and parked records; in-progress handler calls finish.
  void abandon();
  void join();

  static size_t worker_for(const connector::ConsumedRecord& record, size_t workers);

 private:
  std::unique_ptr<WorkerContext> context_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

class Worker {
 public:
  // `slot`: this worker's index, its slot in the crash journal.
  Worker(const WorkerContext& context, size_t slot) : ctx_(context), slot_(slot) {}

  void start() {
    thread_ = std::thread([this] {
      const WorkerAttachment attachment(ctx_.crash_journal, slot_);
      run();
    });
  }
  void enqueue(std::shared_ptr<InFlight> record);
  void drain();
  void abandon();
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  enum class Mode { kRun, kDrain, kAbandon };
  enum class Disposition { kHandled, kRetry };
  struct Parked {
    std::deque<std::shared_ptr<InFlight>> records;  // front: the one in RETRY
    Backoff backoff;
    Clock::time_point due;
  };

  void run();
  Disposition process(const std::shared_ptr<InFlight>& record);
  // Produces the record's dead-letter envelope (or stops the pipeline when there is no
  // dead-letter topic); the record is done when the envelope is acknowledged.
  void dead_letter(const std::shared_ptr<InFlight>& record, sh_status status,
                   const std::string& reason, const CrashCause* crash = nullptr);
  // Dead-letters a record whose handler crashed the host max_crashes times, without calling it.
  void quarantine(const std::shared_ptr<InFlight>& record, const CrashedRecord& crashed);
  int max_attempts_of(const InFlight& record) const;
  void schedule_retry(Parked& parked);
  void abandon_everything(std::unique_lock<std::mutex>& lock);

  const WorkerContext& ctx_;
  const size_t slot_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<InFlight>> queue_;
  std::map<connector::TopicPartition, Parked> parked_;  // only the worker thread touches it
  Mode mode_ = Mode::kRun;
  std::thread thread_;
};

}  // namespace streamhost::host::runtime
