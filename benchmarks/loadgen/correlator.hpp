// Matches prediction results read back from the output topic to the focus events that caused them.
//
// A result carries only customer_id, coupon_id, prediction and the pipeline's processing time
// (event_timestamp, ms) — no field of the focus event. But the pipeline keys results by customer,
// handles one customer's events in order and emits the results of one focus event together, with
// one shared event_timestamp, at most top_n of them. So, per customer, a run of results with the
// same event_timestamp (and no more than top_n) answers the customer's next unanswered focus event.
// Limits: a focus event that yields no result at all (no coupon above the threshold) is invisible
// and makes later results of that customer match one event too early; a redelivered (duplicate)
// result group after all focus events were answered counts as unexpected. The load plan keeps a
// customer's focus events a whole round apart, so two of them are never processed in the same
// millisecond.
//
// Thread-safe: producer threads call mark_sent while the consumer thread calls on_result.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "events.hpp"
#include <streamhost/latency/histogram.hpp>
#include "plan.hpp"

namespace streamhost::loadgen {

using latency::LatencyHistogram;

struct FocusOutcome {
  PlannedFocus focus;
  int64_t intended_us = -1;      // -1: not sent yet
  int64_t sent_us = -1;          // when the produce request carrying it started
  int64_t first_result_us = -1;  // -1: no result matched yet
  std::vector<PredictionResult> results;
};

class Correlator {
 public:
  Correlator(const std::vector<PlannedFocus>& plan, size_t top_n);

  // Called just before the focus event with this sequence number is produced. `intended_us` is its
  // slot on the fixed-rate schedule (equal to sent_us when sending as fast as possible).
  void mark_sent(int64_t sequence, int64_t intended_us, int64_t sent_us);

  // Returns the sequence of the focus event the result was matched to, or nullopt when the
  // customer has no unanswered focus event left (counted as unexpected).
  std::optional<int64_t> on_result(const PredictionResult& result, int64_t received_us);

  struct Totals {
    uint64_t sent = 0;
    uint64_t answered = 0;  // focus events with at least one matched result
    uint64_t results = 0;   // results matched
    uint64_t unexpected = 0;
  };
  Totals totals() const;

  // Latency from the intended send time (corrected) and from the actual send (uncorrected), in
  // microseconds, to the arrival of the first result of each answered focus event.
  LatencyHistogram corrected() const;
  LatencyHistogram uncorrected() const;
  // The corrected histogram of what was answered since the last call (progress lines).
  LatencyHistogram take_interval();

  std::vector<FocusOutcome> outcomes() const;

 private:
  struct CustomerState {
    std::vector<int64_t> focus_sequences;  // in send order
    size_t next = 0;                       // first unanswered
    std::optional<int64_t> open_sequence;  // the focus answered by the current run of results
    std::string open_timestamp;
  };

  const size_t top_n_;
  mutable std::mutex mutex_;
  std::vector<FocusOutcome> outcomes_;
  std::unordered_map<int64_t, CustomerState> customers_;
  Totals totals_;
  LatencyHistogram corrected_, uncorrected_, interval_;
};

}  // namespace streamhost::loadgen
