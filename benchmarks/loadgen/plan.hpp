// What the load tool sends and when: every customer's entry event, then focus events round-robin
// over the customers, so one customer's successive focus events are a whole round apart. That
// spacing is what lets results be matched to focus events by per-customer order (see
// correlator.hpp). Pure, unit-tested.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace streamhost::loadgen {

struct PlannedFocus {
  int64_t sequence = 0;  // position in the send order, from 0
  int64_t customer_id = 0;
  std::string category;
};

// Customers first..last (inclusive), `per_customer` focus events each. Customer number c (from 0)
// visits category (c + r) mod k in round r when `rotate` is set (the demo: each customer sees
// several departments), else always category c mod k (the load run: a customer/department pair
// that yields no prediction above the threshold then loses all its events, visibly, instead of
// shifting the matching of that customer's other departments). Throws std::invalid_argument for an
// empty range or category list.
std::vector<PlannedFocus> plan_focus_events(int64_t first_customer, int64_t last_customer,
                                            const std::vector<std::string>& categories,
                                            int per_customer, bool rotate);

// The intended send time of event `sequence` on a fixed-rate schedule starting at `start_us`.
// This, not the moment the event actually left, is where latency is measured from, so a stall of
// the sender (or of the pipeline pushing back on it) shows up in the latencies of every event that
// should have been sent during the stall: the correction for coordinated omission.
inline int64_t intended_send_us(int64_t start_us, int64_t sequence, double events_per_s) {
  return start_us + static_cast<int64_t>(static_cast<double>(sequence) * 1e6 / events_per_s);
}

}  // namespace streamhost::loadgen
