// What the management API reports per assigned partition, as the poll thread last published it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <streamhost/connector/record.hpp>
#include <string>
#include <vector>

namespace streamhost::host::runtime {

struct PartitionStatus {
  connector::TopicPartition partition;
  std::string route;  // the route reading its topic
  // The offset this host last committed (the next record to consume), kept across consumer
  // re-creations; nullopt before its first commit here.
  std::optional<int64_t> committed;
  // The last offset handed to a handler; nullopt before any.
  std::optional<int64_t> last_dispatched;
  size_t in_flight = 0;  // dispatched, not yet done
  // Why it takes no records now: "paused by an operator", "route paused by an operator",
  // "handler RETRY", "in-flight cap", "rewinding to <offset>". Empty: it takes records.
  std::vector<std::string> paused_because;
};

}  // namespace streamhost::host::runtime
