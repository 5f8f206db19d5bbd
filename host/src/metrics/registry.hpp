// The process's metrics: families of counters, gauges and histograms keyed by label values,
// rendered in the Prometheus text exposition format (version 0.0.4) for GET /metrics.
//
// Looking a metric up takes a shared lock (creating one takes the exclusive lock); the returned
// reference stays valid for the registry's life, so hot paths look up once and keep the reference.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "metrics/metric_types.hpp"

namespace streamhost::host::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Registry {
 public:
  // Returns the metric named `name` with exactly these labels, creating it (and its family, with
  // `help`) on first use. Throws std::logic_error when `name` already names another kind.
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels = {});

  // Removes one series (a partition this process no longer holds). Only for series nobody keeps a
  // reference to: collect hooks that look their gauges up on every run.
  void remove(const std::string& name, const Labels& labels);

  // Runs before every render, on the scraping thread: for values mirrored from elsewhere
  // (connector stats). Hooks must not call render().
  void add_collect_hook(std::function<void()> hook);

  std::string render() const;

  // Reads a counter's value, or 0 when it does not exist (for tests and readiness details).
  uint64_t counter_value(const std::string& name, const Labels& labels = {}) const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Series {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    Kind kind;
    std::string help;
    std::map<std::string, Series> series;  // keyed by the rendered label set
  };

  Series& series(const std::string& name, const std::string& help, Kind kind, const Labels& labels);

  mutable std::shared_mutex mutex_;
  std::map<std::string, Family> families_;
  mutable std::mutex hooks_mutex_;
  std::vector<std::function<void()>> hooks_;
};

// Makes `raw` a valid metric name fragment: [a-zA-Z0-9_], anything else becomes '_'.
std::string sanitize_metric_name(const std::string& raw);

}  // namespace streamhost::host::metrics
