// Produces handler outputs and dead-letter envelopes through the Sink on one thread, batching what
// is queued per topic (one request per topic per round). An output counts only when its
// DeliveryResult is ok: retriable failures are produced again with backoff (before anything newer
// for that topic, which keeps per-key order except among the failed records themselves); a
// permanent failure stops the pipeline with the proxy's message. Nothing is ever dropped silently:
// an output that is not acknowledged leaves its record unfinished, so its offset is never
// committed.
#pragma once

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

namespace streamhost::host::runtime {

struct PendingOutput {
  std::string topic;
  connector::OutgoingRecord record;
  std::shared_ptr<InFlight> owner;
  bool dead_letter = false;
  Clock::time_point submitted{};
};

class OutputProducer {
 public:
  using FatalFn = std::function<void(const std::string&)>;

  OutputProducer(connector::Sink& sink, Clock& clock, RetrySpec retry, size_t max_batch,
                 PipelineMetrics& metrics, InFlightCounter& in_flight, FatalFn fatal);
  ~OutputProducer();

  void start();
  // Queues all outputs of one record; the owner's outputs_pending must already equal their count.
  void submit(std::vector<PendingOutput> outputs);
  // Finishes what is queued, then stops the thread.
  void finish();
  // Stops as soon as the current request returns; whatever is left is abandoned.
  void abandon();
  void join();

 private:
  void run();
  void deliver(const std::string& topic, std::vector<PendingOutput> items);
  void acknowledged(PendingOutput& item);
  void abandon_all(std::vector<PendingOutput>& items);
  bool abandoning() const;
  metrics::Histogram& ack_histogram(const std::string& topic);

  connector::Sink& sink_;
  Clock& clock_;
  RetrySpec retry_;
  size_t max_batch_;
  PipelineMetrics& metrics_;
  InFlightCounter& in_flight_;
  FatalFn fatal_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<PendingOutput> queue_;
  bool finishing_ = false;
  bool abandoning_ = false;
  std::thread thread_;
  // Producer-thread only: avoids a registry lookup per acknowledged output.
  std::map<std::string, metrics::Histogram*> ack_histograms_;
};

}  // namespace streamhost::host::runtime
