// The load run's summary: printed for people, written as JSON for scripts and BENCHMARKS.md.
#pragma once

#include <cstdint>
#include <string>

#include "correlator.hpp"
#include "options.hpp"

namespace streamhost::loadgen {

struct RunSummary {
  std::string started_at;      // ISO-8601 UTC
  double send_seconds = 0;     // first intended send to last send
  double elapsed_seconds = 0;  // first intended send to last answer (or the end of the wait)
  uint64_t entries_sent = 0;
  uint64_t produce_failures = 0;
  std::string last_produce_error;
  Correlator::Totals totals;
  uint64_t missing = 0;  // focus events sent (acknowledged) that got no result in time
  uint64_t stale = 0;
  uint64_t malformed = 0;
  double send_rate = 0;    // focus events sent per second
  double answer_rate = 0;  // focus events answered per second over elapsed_seconds
  LatencyHistogram corrected, uncorrected;
};

std::string machine_description();  // "2 x AMD EPYC ..." from /proc/cpuinfo and nproc

std::string report_json(const Options& options, const RunSummary& summary);
std::string report_text(const RunSummary& summary);

}  // namespace streamhost::loadgen
