// Runs the readiness checks on a thread of its own and keeps the last report, so GET /readyz
// answers at once from memory. The checks call dependencies (the proxy's stats, a plugin pinging
// PostgreSQL or its scorer) and may block for seconds; run on the HTTP pool, four slow probes would
// freeze polling, producing and /healthz with it. A check that hangs makes the report stale, and a
// stale report says not ready, naming how long the check has been stuck.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "admin/readiness.hpp"
#include "metrics/registry.hpp"

namespace streamhost::host::admin {

class ReadinessMonitor {
 public:
  using Check = std::function<ReadinessReport()>;

  // `period`: time between two runs of `check`; `stale_after`: how long one run may take before
  // the report says not ready.
  ReadinessMonitor(Check check, std::chrono::milliseconds period,
                   std::chrono::milliseconds stale_after);
  ~ReadinessMonitor();
  ReadinessMonitor(const ReadinessMonitor&) = delete;
  ReadinessMonitor& operator=(const ReadinessMonitor&) = delete;

  // The last report, or a not-ready one while the first run or a stuck run is pending.
  ReadinessReport current() const;

 private:
  void run();

  Check check_;
  std::chrono::milliseconds period_;
  std::chrono::milliseconds stale_after_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::optional<ReadinessReport> last_;
  // When the run in progress started; unset between runs.
  std::optional<std::chrono::steady_clock::time_point> running_since_;
  std::thread thread_;
};

// Mirrors `monitor`'s last report into `registry` at every scrape: streamhost_ready (1 or 0) and
// streamhost_readiness_check{check} per check, so dashboards and alerts see what /readyz says.
// `monitor` must outlive every later render() of `registry`.
void install_readiness_metrics(metrics::Registry& registry, const ReadinessMonitor& monitor);

}  // namespace streamhost::host::admin
