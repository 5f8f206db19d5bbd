// Sends the planned events through a Sink: entry events first (as fast as possible), then the
// focus events on the fixed-rate schedule (or as fast as possible), from several threads each
// holding at most one produce request in flight.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <streamhost/connector/sink.hpp>
#include <string>
#include <vector>

#include "correlator.hpp"
#include "options.hpp"
#include "plan.hpp"

namespace streamhost::loadgen {

struct SendStats {
  std::atomic<uint64_t> entries_sent{0};
  std::atomic<uint64_t> produce_failures{0};
  std::atomic<int64_t> last_send_us{0};
  std::mutex error_mutex;
  std::string last_error;
  void failed(const std::string& error, uint64_t records);
};

// Produces one entry event per customer, keyed by customer id, in batches.
void send_entries(connector::Sink& sink, const Options& options, SendStats& stats);

// Produces every planned focus event keyed by customer id. With options.rate > 0, event i is due
// at start_us + i / rate and is sent once due (several due events share a request, up to
// options.batch); with rate 0 each request takes the next batch at once. Marks each event sent in
// the correlator just before its request starts. Returns early when `abort` becomes true.
void send_focus_events(connector::Sink& sink, const Options& options,
                       const std::vector<PlannedFocus>& plan, Correlator& correlator,
                       int64_t start_us, SendStats& stats, const std::atomic<bool>& abort);

}  // namespace streamhost::loadgen
