// `streamhost bench`: a manifest's real plugins, loaded, config-checked and called through the
// runtime's own handler boundary, with no Kafka, proxy or network of the host's own. Records are
// dispatched to workers by the runtime's own rule (same key, same worker, in order), so a handler
// sees the concurrency it sees in `streamhost run`.
//
// What it measures per route, for the measured records only (a warm-up runs first):
//   handler  the handler's own time, as the runtime's boundary times it (HandlerResult::seconds)
//   latency  from the record's intended start to the handler's return: at a fixed rate the
//            intended start is start + i / rate, so time a record waited behind a slow one counts
//            (corrected for coordinated omission); as fast as possible it is the dispatch time
// and outcome counts, outputs emitted, CPU time and peak RSS. Handlers' RETRY is counted, not
// retried (the runtime's backoff would only measure the backoff).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <streamhost/connector/record.hpp>
#include <streamhost/latency/histogram.hpp>
#include <string>
#include <vector>

#include "runtime/route.hpp"

namespace streamhost::host::bench {

using latency::LatencyHistogram;

struct BenchOptions {
  size_t workers = 2;    // the manifest's unless given
  double rate = 0;       // records per second; 0: as fast as possible
  size_t warmup = 1000;  // records run before measuring
  size_t count = 10000;  // records measured
  size_t rounds = 10;    // the measured records in this many consecutive rounds (for compare)
  // As fast as possible, at most this many records wait in the workers' queues (so latency is
  // queueing of a bounded pipeline, not of the whole input).
  size_t max_queued = 256;
  // At a fixed rate: one schedule across all measured rounds (a plain run), or a fresh one per
  // round (--ab, whose rounds alternate between two runners and are separate trials).
  bool continuous_schedule = true;
};

// What one route's handler did in the measured phase.
struct RouteResult {
  std::string route;
  std::string handler;  // plugin/handler
  uint64_t records = 0, ok = 0, reject = 0, retry = 0, fatal = 0, outputs = 0;
  LatencyHistogram handler_ns;      // the handler's own time
  LatencyHistogram latency_ns;      // intended start to return (corrected)
  LatencyHistogram uncorrected_ns;  // actual dispatch to return
  // Per round: the handler time's exact median (from the round's samples, not the histogram's
  // buckets, so two rounds differ by what was measured, never by a bucket edge).
  std::vector<double> round_median_ns;
  std::vector<int64_t> round_samples_ns;    // the current round's handler times; emptied per round
  std::map<std::string, uint64_t> reasons;  // non-OK reasons, each counted (first 20 distinct)
};

struct BenchResult {
  std::vector<RouteResult> routes;  // the routes that got records, in manifest order
  double elapsed_seconds = 0;       // the measured phase, first dispatch to last return
  double records_per_second = 0;
  double cpu_seconds = 0;  // user + system of the whole process in the measured phase
  long peak_rss_kib = 0;
  uint64_t unrouted = 0;    // input records no route takes (their topic has none)
  std::string first_fatal;  // the first FATAL's reason, empty when none
};

// Gives record `seq` and the index (into the routes given to run_bench) of the route it takes, or
// nullopt for a record no route takes.
using RecordSource =
    std::function<std::optional<size_t>(uint64_t seq, connector::ConsumedRecord& record)>;

// The worker threads records run on. --ab gives A and B the same ones, so neither side gets
// threads (and their malloc arenas, caches and cores) of its own: a difference between the sides
// is then one of the plugins, not of their threads.
class WorkerThreads;
std::shared_ptr<WorkerThreads> make_worker_threads(const BenchOptions& options);

// Runs rounds of records on worker threads (its own, or `threads` shared with another runner,
// never running a round at the same time). `routes` must outlive the runner. A FATAL ends the
// run after the record that caused it.
class BenchRunner {
 public:
  BenchRunner(const std::vector<runtime::Route>& routes, BenchOptions options,
              std::shared_ptr<WorkerThreads> threads = nullptr);
  ~BenchRunner();
  BenchRunner(const BenchRunner&) = delete;
  BenchRunner& operator=(const BenchRunner&) = delete;

  // Runs `n` records from `source` (numbered from `first_seq`) and returns what they did; with
  // measure == false (a warm-up) nothing is recorded. Each call is one round.
  void run_round(const RecordSource& source, uint64_t first_seq, size_t n, bool measure);
  BenchResult take_result();  // what every measured round did, together
  bool fatal_seen() const;    // a FATAL ended a round: run no further round

 private:
  const std::vector<runtime::Route>& routes_;
  BenchOptions options_;
  std::shared_ptr<WorkerThreads> pool_;
  BenchResult result_;
  std::vector<RouteResult> per_route_;
  std::chrono::steady_clock::time_point schedule_start_{};
  uint64_t scheduled_ = 0;  // records the continuous schedule has placed
};

// The whole run: warm-up, then options.rounds measured rounds.
BenchResult run_bench(const std::vector<runtime::Route>& routes, const RecordSource& source,
                      const BenchOptions& options);

}  // namespace streamhost::host::bench
