// `streamhost bench`'s results for people (a table) and for scripts (a JSON report, which
// `bench --compare` reads back).
#pragma once

#include <string>
#include <vector>

#include "bench/bench_run.hpp"
#include "bench/compare_stats.hpp"

namespace streamhost::host::bench {

// What the run was, written beside the figures so a number is never read without its conditions.
struct RunConditions {
  std::string manifest;
  std::string input;  // "file X.jsonl (N records)" or "generated: TEMPLATE"
  BenchOptions options;
  std::string started_at;    // ISO-8601 UTC
  std::string load_average;  // /proc/loadavg's first three fields at the start
  std::string load_average_end;
  unsigned cpus = 0;
};

std::string report_text(const RunConditions& conditions, const BenchResult& result);
std::string report_json(const RunConditions& conditions, const BenchResult& result);

// A report's per-round handler medians (ns) of one route (empty: the first route in it). Throws
// CompareError naming the file's problem.
std::vector<double> read_round_medians(const std::string& report_json_text,
                                       const std::string& route, std::string& route_found);

// The --ab summary: both sides' medians and the verdict.
std::string ab_text(const std::string& route, const std::vector<double>& a,
                    const std::vector<double>& b, const RatioEstimate& estimate);

// The machine's conditions now.
std::string load_average_now();
std::string utc_now_iso8601();

}  // namespace streamhost::host::bench
