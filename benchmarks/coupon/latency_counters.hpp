// Per-iteration latency percentiles for benchmarks whose targets are stated as a p50: Google
// Benchmark reports the mean time per iteration, so these loops also time each call and report
// p50/p99 (microseconds) as counters, using the load tool's histogram.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>

#include <streamhost/latency/histogram.hpp>

namespace streamhost::bench {

class IterationTimer {
 public:
  void start() { started_ = std::chrono::steady_clock::now(); }
  void stop() {
    histogram_.record(std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now() - started_)
                          .count());
  }
  void report(benchmark::State& state) const {
    state.counters["p50_us"] = histogram_.value_at_percentile(50) / 1000.0;
    state.counters["p99_us"] = histogram_.value_at_percentile(99) / 1000.0;
  }

 private:
  std::chrono::steady_clock::time_point started_;
  latency::LatencyHistogram histogram_;
};

}  // namespace streamhost::bench
