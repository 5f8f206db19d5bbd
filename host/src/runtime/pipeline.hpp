// The runtime's core: polls the Source, dispatches records to the worker pool, produces outputs
// through the Sink, and commits each partition's watermark. Takes its Source, Sink and resolved
// routes from the caller (no dlopen, no HTTP), so tests drive it with in-process doubles.
//
// Threads: run() is the poll thread (the only one touching the Source except stats()); workers run
// handlers; one producer thread talks to the Sink. request_stop() and health() are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <streamhost/connector/sink.hpp>
#include <streamhost/connector/source.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "manifest/manifest.hpp"
#include "metrics/registry.hpp"
#include "runtime/clock.hpp"
#include "runtime/crash_journal.hpp"
#include "runtime/in_flight.hpp"
#include "runtime/offset_tracker.hpp"
#include "runtime/operator_pauses.hpp"
#include "runtime/output_producer.hpp"
#include "runtime/partition_lifecycle.hpp"
#include "runtime/partition_status.hpp"
#include "runtime/pause_board.hpp"
#include "runtime/pipeline_metrics.hpp"
#include "runtime/pipeline_state.hpp"
#include "runtime/route.hpp"
#include "runtime/seek_fences.hpp"
#include "runtime/source_call_watch.hpp"
#include "runtime/worker_pool.hpp"

namespace streamhost::host::runtime {

struct PipelineOptions {
  size_t workers = 2;
  RetrySpec retry;          // handler RETRY backoff
  RetrySpec produce_retry;  // backoff between produce attempts after a retriable failure
  // After a failed subscribe, poll or seek, and between final-commit attempts on stop.
  RetrySpec poll_retry{std::chrono::milliseconds(200), std::chrono::milliseconds(10000), 2.0};
  std::string dead_letter_topic;
  // Envelopes above this are truncated so the topic accepts them; 0: never truncated.
  size_t dead_letter_max_bytes = 1000000;
  std::chrono::milliseconds poll_timeout{100};
  std::chrono::milliseconds commit_interval{1000};
  std::chrono::milliseconds shutdown_timeout{30000};
  size_t max_produce_batch = 500;
  size_t produce_lanes = 1;  // produce requests in flight at once, one per lane of keys
  // Back-pressure: at this many records in flight, or bytes of them (0: no limit), the pipeline
  // stops taking records; it takes them again below three quarters of both. What a poll returns
  // meanwhile is dropped and read again by a seek, so memory stays bounded by the caps.
  size_t max_in_flight_records = 10000;
  size_t max_in_flight_bytes = size_t{64} << 20;
  // While capped, one poll this often keeps the consumer instance alive (proxies expire idle ones,
  // and Kafka's max.poll.interval.ms ends a member that stops polling).
  std::chrono::milliseconds keepalive_poll_interval{5000};
  // A backlog goes to the cap and back below it every second or two; it is logged as one episode
  // (a warning when it starts, an info line when it ends) and it ends once the cap has not been
  // reached for this long.
  std::chrono::milliseconds backlog_quiet_period{10000};
  // After a seek, records past the target that arrive before it are ones the proxy fetched before
  // the seek: dropped. If the target itself never arrives within this (deleted by retention), the
  // partition reads again from the lowest offset that did.
  std::chrono::milliseconds seek_fence_timeout{10000};
  // How often the poll thread asks the source which partitions it holds when no commit did lately
  // (for the management API's partition list), and republishes that list.
  std::chrono::milliseconds assignment_refresh{5000};
  std::chrono::milliseconds status_publish_interval{250};
  // A call to the Source (poll, commit, seek, ...) unanswered for this long makes the pipeline
  // STALLED: the proxy accepts connections and never answers (a frozen process).
  std::chrono::milliseconds stall_after{3000};
  Clock* clock = nullptr;  // nullptr: the steady clock
  // Crash containment (crash_journal.hpp): the pipeline binds its routes to it and its workers
  // publish their records in it. nullptr (no state_dir): none. Outlives the pipeline.
  CrashJournal* crash_journal = nullptr;
};

// The options a manifest sets: every one of its runtime settings, in one place.
PipelineOptions pipeline_options(const Manifest& m);

struct PipelineResult {
  int exit_code = 0;
  std::string message;  // why it stopped when exit_code != 0
};

struct PipelineHealth {
  bool running = false;
  bool stopping = false;      // a stop was requested (signal, FATAL) or the pipeline ended
  std::string fatal_message;  // set once a FATAL stopped it
  // Real time since the poll loop last went round, and since the runtime last made progress
  // (InFlightCounter::touch); both for liveness.
  std::chrono::steady_clock::duration since_poll_loop{};
  std::chrono::steady_clock::duration since_progress{};
  bool source_ok = true;     // the last poll (or subscribe) succeeded
  std::string source_error;  // the last poll error while !source_ok
  // Real time since the last poll that returned without an error (since start-up before one).
  std::chrono::steady_clock::duration since_poll_ok{};
  // Set when a call to the Source has waited longer than PipelineOptions::stall_after: which
  // one ("poll", "commit", ...) and for how long. Empty otherwise.
  std::string stalled_call;
  std::chrono::steady_clock::duration stalled_for{};
  size_t paused_partitions = 0;
  size_t in_flight = 0;
  bool backpressure = false;  // the in-flight cap holds polling back
};

// What the management API shows: the state, operator pauses and the partitions. Read from memory.
struct PipelineStatus {
  StateReport state;
  PipelineHealth health;
  bool pipeline_paused = false;
  std::set<std::string> paused_routes;  // paused on their own
  std::vector<PartitionStatus> partitions;
};

class Pipeline {
 public:
  // `routes` come from a parsed manifest (one route per topic). Throws std::invalid_argument when a
  // route has no resolved handler.
  Pipeline(connector::Source& source, connector::Sink& sink, std::vector<Route> routes,
           PipelineOptions options, metrics::Registry& registry);
  ~Pipeline();

  // Subscribes and processes records until request_stop() or a FATAL. Call once.
  PipelineResult run();
  void request_stop();
  PipelineHealth health() const;
  PipelineStatus status() const;
  const std::vector<Route>& routes() const { return routes_; }

  // Operator pauses (thread-safe, never block). The consumer keeps polling, so it keeps its
  // partitions; records of a paused route are dropped and read again from the first dropped
  // offset on resume. `route` nullopt: the whole pipeline. Returns false for an unknown route.
  bool pause(const std::optional<std::string>& route);
  bool resume(const std::optional<std::string>& route);

 private:
  void fatal(const std::string& message);
  bool subscribe();
  void dispatch(connector::ConsumedRecord record, Clock::time_point received);
  bool drop_before_seek_target(const connector::ConsumedRecord& record);
  void wait_while_capped();
  void wait_while_operator_paused();
  bool operator_paused(const connector::TopicPartition& tp) const;
  void refresh_assignment(bool force);
  void log_assignment_change();
  void publish_status(bool force);
  void rewind_resumed_partitions();
  void on_generation_change(uint64_t generation);
  void maybe_commit(bool force);
  bool commit_once();
  void forget_revoked(const std::vector<connector::TopicPartition>& assigned);
  void revoke_from_plugins(const std::optional<std::vector<connector::TopicPartition>>& lost);
  void wait_for(std::chrono::milliseconds delay);
  void set_source_error(const std::string& error);
  void shutdown();
  void note_cap_reached();
  void end_backlog_if_quiet(bool stopping);

  connector::Source& source_;
  connector::Sink& sink_;
  std::vector<Route> routes_;
  std::unordered_map<std::string, const Route*> route_by_topic_;
  PipelineOptions options_;
  Clock& clock_;
  PipelineMetrics metrics_;
  InFlightCounter in_flight_;
  PauseBoard pauses_;
  OperatorPauses operator_pauses_;
  OutputProducer producer_;
  WorkerPool workers_;

  // Poll-thread state.
  PartitionLifecycle lifecycle_{routes_};  // the plugins' partition hooks
  uint64_t generation_ = 0;
  std::map<connector::TopicPartition, std::shared_ptr<PartitionTracker>> trackers_;
  std::map<connector::TopicPartition, int64_t> last_committed_;  // in this consumer generation
  // What status shows as committed: the last offset committed here, kept across consumer
  // re-creations (the group's offset does not change when the proxy's instance does), dropped
  // only when the partition goes to another member.
  std::map<connector::TopicPartition, int64_t> committed_shown_;
  std::map<connector::TopicPartition, int64_t> rewind_;  // first offset dropped while paused
  SeekFences fences_{options_.seek_fence_timeout};       // seeked, target not arrived yet
  SourceCallWatch source_calls_;                         // read by health() on any thread
  std::atomic<bool> capped_{false};  // the in-flight cap holds polling back; set by the poll thread
  // The backlog episode being logged: when it started, when the cap last let go, how many times
  // the cap held polling back in it.
  struct Backlog {
    std::chrono::steady_clock::time_point started, released;
    uint64_t holds = 0;
  };
  std::optional<Backlog> backlog_;
  Clock::time_point next_commit_{};
  // The partitions the consumer held at the last listing (nullopt: unknown; the tracked ones are
  // shown then), and when the poll thread lists and publishes them next (real time).
  std::optional<std::vector<connector::TopicPartition>> assigned_;
  std::chrono::steady_clock::time_point next_assignment_refresh_{};
  std::optional<std::vector<connector::TopicPartition>> logged_assignment_;  // the last one logged
  std::chrono::steady_clock::time_point next_status_publish_{};
  mutable std::mutex status_mutex_;
  std::vector<PartitionStatus> published_partitions_;  // guarded by status_mutex_

  std::atomic<bool> stop_{false};
  std::atomic<bool> halted_{false};  // a FATAL happened: workers start nothing new
  std::atomic<bool> running_{false};
  std::atomic<bool> started_{false};  // run() was called: not running afterwards means it ended
  std::atomic<std::chrono::steady_clock::rep> poll_loop_beat_{
      std::chrono::steady_clock::now().time_since_epoch().count()};
  mutable std::mutex state_mutex_;
  std::condition_variable stop_wake_;
  std::optional<std::string> fatal_message_;
  bool source_ok_ = true;
  std::string source_error_;
};

}  // namespace streamhost::host::runtime
