#include "admin/readiness_monitor.hpp"

#include <exception>
#include <string>

namespace streamhost::host::admin {

ReadinessMonitor::ReadinessMonitor(Check check, std::chrono::milliseconds period,
                                   std::chrono::milliseconds stale_after)
    : check_(std::move(check)), period_(period), stale_after_(stale_after) {
  thread_ = std::thread([this] { run(); });
}

ReadinessMonitor::~ReadinessMonitor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

ReadinessReport ReadinessMonitor::current() const {
  std::lock_guard lock(mutex_);
  if (running_since_) {
    const auto stuck = std::chrono::steady_clock::now() - *running_since_;
    if (stuck > stale_after_) {
      ReadinessReport report;
      report.add("readiness", false,
                 "readiness checks have not answered for " +
                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(stuck).count()) +
                     " s");
      return report;
    }
  }
  if (last_) return *last_;
  ReadinessReport starting;
  starting.add("readiness", false, "first readiness check still running");
  return starting;
}

void ReadinessMonitor::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    running_since_ = std::chrono::steady_clock::now();
    lock.unlock();
    ReadinessReport report;
    try {
      report = check_();
    } catch (const std::exception& e) {
      report.add("readiness", false, std::string("readiness check failed: ") + e.what());
    }
    lock.lock();
    running_since_.reset();
    last_ = std::move(report);
    wake_.wait_for(lock, period_, [this] { return stopping_; });
  }
}

void install_readiness_metrics(metrics::Registry& registry, const ReadinessMonitor& monitor) {
  registry.add_collect_hook([&registry, &monitor] {
    const ReadinessReport report = monitor.current();
    registry.gauge("streamhost_ready", "1 while GET /readyz answers 200, else 0")
        .set(report.ready() ? 1.0 : 0.0);
    for (const ReadinessCheck& check : report.checks) {
      registry
          .gauge("streamhost_readiness_check",
                 "1 while this readiness check passes, else 0 (GET /readyz names why)",
                 {{"check", check.name}})
          .set(check.ok ? 1.0 : 0.0);
    }
  });
}

}  // namespace streamhost::host::admin
