// Produces handler outputs and dead-letter envelopes through the Sink on `lanes` threads, each
// with one produce request in flight at a time. An output's lane is fixed by its topic and key (a
// null key: by the input record's partition), so one key's outputs always travel in one lane, in
// the order they were submitted, and a retried request is never overtaken by a later one for the
// same key. A lane sends as soon as it is free, whatever is queued for it (up to max_batch, one
// request per topic), so a busy topic has several requests in flight and a slow or retrying
// request holds back only its own lane. Within a lane, dead letters have a queue of their own and
// go first in each round: one holds its partition's commit back until it is acknowledged, so it
// never waits behind a backlog of results.
//
// An output counts only when its DeliveryResult is ok: retriable failures are produced again with
// backoff (before anything newer in that lane, which keeps per-key order except among the failed
// records themselves); a permanent failure stops the pipeline with the proxy's message. Nothing is
// ever dropped silently: an output that is not acknowledged leaves its record unfinished, so its
// offset is never committed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <streamhost/connector/sink.hpp>
#include <string>
#include <thread>
#include <vector>

#include "manifest/manifest.hpp"
#include "runtime/backoff.hpp"
#include "runtime/clock.hpp"
#include "runtime/in_flight.hpp"
#include "runtime/pipeline_metrics.hpp"
#include "runtime/unacked_ages.hpp"

namespace streamhost::host::runtime {

struct PendingOutput {
  std::string topic;
  connector::OutgoingRecord record;
  std::shared_ptr<InFlight> owner;
  bool dead_letter = false;
  Clock::time_point submitted{};
  Clock::time_point sent{};  // when the produce request carrying it went out
};

class OutputProducer {
 public:
  using FatalFn = std::function<void(const std::string&)>;

  OutputProducer(connector::Sink& sink, Clock& clock, RetrySpec retry, size_t max_batch,
                 size_t lanes, PipelineMetrics& metrics, InFlightCounter& in_flight, FatalFn fatal);
  ~OutputProducer();

  void start();
  // Queues all outputs of one record; the owner's outputs_pending must already equal their count.
  void submit(std::vector<PendingOutput> outputs);
  // Finishes what is queued, then stops the threads.
  void finish();
  // Stops as soon as the current requests return; whatever is left is abandoned.
  void abandon();
  void join();

  // The lane an output travels in: same topic and key, same lane.
  static size_t lane_of(const PendingOutput& output, size_t lanes);

 private:
  struct Lane {
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<PendingOutput> queue;
    std::deque<PendingOutput> dead_letters;
    bool finishing = false;
    std::thread thread;
    // This lane's thread only: avoids a registry lookup per acknowledged output.
    std::map<std::string, metrics::Histogram*> ack_histograms;
  };

  void run(Lane& lane);
  void deliver(Lane& lane, const std::string& topic, std::vector<PendingOutput> items);
  void acknowledged(Lane& lane, PendingOutput& item);
  void abandon_all(std::vector<PendingOutput>& items);
  void observe_timeline(const InFlight& owner, Clock::time_point sent);
  // Up to max_batch_ items of `lane`, dead letters first. Called with the lane's mutex held.
  std::vector<PendingOutput> take_batch(Lane& lane);
  bool abandoning() const { return abandoning_.load(); }

  connector::Sink& sink_;
  Clock& clock_;
  RetrySpec retry_;
  size_t max_batch_;
  PipelineMetrics& metrics_;
  InFlightCounter& in_flight_;
  FatalFn fatal_;

  std::vector<std::unique_ptr<Lane>> lanes_;
  // Read by the streamhost_dead_letter_oldest_unacked_seconds collect hook (a weak reference).
  std::shared_ptr<UnackedAges> dead_letter_ages_;
  std::atomic<bool> abandoning_{false};
};

}  // namespace streamhost::host::runtime
