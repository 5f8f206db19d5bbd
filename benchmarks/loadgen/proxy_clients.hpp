// The load tool's side of Kafka: a Sink for the events it sends and a reader of the prediction
// topic (a Source with its own throwaway group, from the earliest offset) feeding the Correlator.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <streamhost/connector/rest_proxy.hpp>
#include <string>
#include <thread>

#include "correlator.hpp"
#include "options.hpp"

namespace streamhost::loadgen {

int64_t unix_now_us();

connector::RestProxyOptions proxy_options(const Options& options);

// Reads prediction results on its own thread until stop(). Results stamped before the run began
// (older runs on the same topic, read because the group starts at the earliest offset) are counted
// as stale and ignored.
class ResultReader {
 public:
  ResultReader(const Options& options, Correlator& correlator, int64_t run_start_us);
  ~ResultReader();

  // Creates the consumer instance and subscribes; throws the connector's errors.
  void start();
  void stop();

  uint64_t stale() const { return stale_; }
  uint64_t malformed() const { return malformed_; }
  uint64_t poll_errors() const { return poll_errors_; }
  std::string last_error() const;

 private:
  void run();

  const Options& options_;
  Correlator& correlator_;
  const int64_t run_start_ms_;
  std::unique_ptr<connector::Source> source_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> stale_{0}, malformed_{0}, poll_errors_{0};
  mutable std::mutex error_mutex_;
  std::string last_error_;
};

}  // namespace streamhost::loadgen
