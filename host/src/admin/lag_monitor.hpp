// Keeps the log-end offset of every partition the pipeline holds, fetched from the REST proxy on a
// thread of its own, so GET /pipeline/partitions and /metrics answer lag from memory. Like the
// readiness checks, the fetches must not run on cpprestsdk's pool (it carries the connectors'
// requests) nor on the poll thread (a slow proxy would hold up polling). Each partition is read
// again once its value is `interval` old; a partition seen for the first time is read within a
// second. A failed read keeps the previous value and records the error.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <streamhost/connector/record.hpp>
#include <string>
#include <thread>
#include <vector>

namespace streamhost::host::admin {

struct LogEnd {
  std::optional<int64_t> end_offset;                // nullopt until a read succeeded
  std::chrono::steady_clock::time_point read_at{};  // of the last attempt
  std::string error;                                // of the last attempt; empty when it succeeded
  std::optional<int64_t> beginning_offset;          // the log start, from the same read
  std::chrono::steady_clock::time_point read_ok_at{};  // of the last successful read
};

class LagMonitor {
 public:
  using Partitions = std::function<std::vector<connector::TopicPartition>()>;
  using Read = std::function<connector::LogOffsets(const connector::TopicPartition&)>;

  LagMonitor(Partitions partitions, Read read, std::chrono::milliseconds interval);
  ~LagMonitor();
  LagMonitor(const LagMonitor&) = delete;
  LagMonitor& operator=(const LagMonitor&) = delete;

  // The last known log end of each partition read so far (partitions no longer held are dropped).
  std::map<connector::TopicPartition, LogEnd> current() const;

 private:
  void run();
  void refresh();

  Partitions partitions_;
  Read read_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<connector::TopicPartition, LogEnd> ends_;
  bool failing_ = false;  // a read failed in the last round: logged once per outage
  std::thread thread_;
};

}  // namespace streamhost::host::admin
