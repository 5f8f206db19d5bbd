#include "correlator.hpp"

namespace streamhost::loadgen {

Correlator::Correlator(const std::vector<PlannedFocus>& plan, size_t top_n) : top_n_(top_n) {
  outcomes_.reserve(plan.size());
  for (const PlannedFocus& focus : plan) {
    outcomes_.push_back({focus, -1, -1, -1, {}});
    customers_[focus.customer_id].focus_sequences.push_back(focus.sequence);
  }
}

void Correlator::mark_sent(int64_t sequence, int64_t intended_us, int64_t sent_us) {
  std::lock_guard lock(mutex_);
  FocusOutcome& outcome = outcomes_.at(static_cast<size_t>(sequence));
  outcome.intended_us = intended_us;
  outcome.sent_us = sent_us;
  ++totals_.sent;
}

std::optional<int64_t> Correlator::on_result(const PredictionResult& result, int64_t received_us) {
  std::lock_guard lock(mutex_);
  auto it = customers_.find(result.customer_id);
  if (it == customers_.end()) {
    ++totals_.unexpected;
    return std::nullopt;
  }
  CustomerState& customer = it->second;
  if (customer.open_sequence && customer.open_timestamp == result.event_timestamp) {
    FocusOutcome& open = outcomes_[static_cast<size_t>(*customer.open_sequence)];
    if (open.results.size() < top_n_) {
      open.results.push_back(result);
      ++totals_.results;
      return *customer.open_sequence;
    }
  }
  if (customer.next >= customer.focus_sequences.size()) {
    ++totals_.unexpected;
    return std::nullopt;
  }
  const int64_t sequence = customer.focus_sequences[customer.next++];
  customer.open_sequence = sequence;
  customer.open_timestamp = result.event_timestamp;
  FocusOutcome& outcome = outcomes_[static_cast<size_t>(sequence)];
  outcome.first_result_us = received_us;
  outcome.results.push_back(result);
  ++totals_.results;
  ++totals_.answered;
  // A result can only follow its event's send; if mark_sent has not run yet (it runs before the
  // produce call, so only on a mismatch) the latency is unknown and not recorded.
  if (outcome.intended_us >= 0) {
    corrected_.record(received_us - outcome.intended_us);
    interval_.record(received_us - outcome.intended_us);
    uncorrected_.record(received_us - outcome.sent_us);
  }
  return sequence;
}

Correlator::Totals Correlator::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

LatencyHistogram Correlator::corrected() const {
  std::lock_guard lock(mutex_);
  return corrected_;
}

LatencyHistogram Correlator::uncorrected() const {
  std::lock_guard lock(mutex_);
  return uncorrected_;
}

LatencyHistogram Correlator::take_interval() {
  std::lock_guard lock(mutex_);
  LatencyHistogram out = interval_;
  interval_.reset();
  return out;
}

std::vector<FocusOutcome> Correlator::outcomes() const {
  std::lock_guard lock(mutex_);
  return outcomes_;
}

}  // namespace streamhost::loadgen
