// Pauses an operator asked for through the management API: the whole pipeline, or single routes.
// The admin endpoint sets them (from cpprestsdk's pool: never blocks); the poll thread reads them
// for every record, so the common case (nothing paused) is one atomic load.
//
// A paused route's records are dropped at poll time and read again from the first dropped offset
// on resume, like a partition paused by a RETRY; the consumer keeps polling, so it stays in its
// group with its partitions. Pipeline and route pauses are independent: resuming the pipeline
// leaves a route paused on its own still paused.
#pragma once

#include <atomic>
#include <mutex>
#include <set>
#include <string>

namespace streamhost::host::runtime {

class OperatorPauses {
 public:
  void set_pipeline(bool paused) {
    std::lock_guard lock(mutex_);
    pipeline_ = paused;
    refresh();
  }
  // Returns whether the route's paused flag changed.
  bool set_route(const std::string& route, bool paused) {
    std::lock_guard lock(mutex_);
    const bool changed = paused ? routes_.insert(route).second : routes_.erase(route) > 0;
    refresh();
    return changed;
  }

  bool pipeline_paused() const {
    std::lock_guard lock(mutex_);
    return pipeline_;
  }
  // Paused with the pipeline or on its own.
  bool route_paused(const std::string& route) const {
    if (!any_.load(std::memory_order_acquire)) return false;
    std::lock_guard lock(mutex_);
    return pipeline_ || routes_.count(route) != 0;
  }
  // Routes paused on their own (not counting a pipeline pause).
  std::set<std::string> paused_routes() const {
    std::lock_guard lock(mutex_);
    return routes_;
  }
  // Whether no route can take records: the poll loop then polls only to keep the consumer alive.
  bool everything_paused(size_t route_count) const {
    if (!any_.load(std::memory_order_acquire)) return false;
    std::lock_guard lock(mutex_);
    return pipeline_ || (route_count > 0 && routes_.size() >= route_count);
  }

 private:
  void refresh() { any_.store(pipeline_ || !routes_.empty(), std::memory_order_release); }

  mutable std::mutex mutex_;
  bool pipeline_ = false;
  std::set<std::string> routes_;
  std::atomic<bool> any_{false};
};

}  // namespace streamhost::host::runtime
