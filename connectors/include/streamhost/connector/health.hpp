// What a connector reports for /readyz and /metrics.
#pragma once

#include <cstdint>
#include <string>

namespace streamhost::connector {

struct ConnectorStats {
  bool reachable = true;       // the last request reached the proxy and got a non-5xx answer
  std::string last_error;      // empty when reachable; never contains credentials
  uint64_t requests = 0;       // HTTP requests sent
  uint64_t transient_errors = 0;  // connection refused, timeouts, 5xx, 429
  uint64_t retries = 0;        // requests sent again after a transient error
  uint64_t instance_recreations = 0;  // consumer instances recreated after the proxy lost them
  uint64_t records = 0;        // records consumed (source) or acknowledged (sink)
  // Something the operator should fix that does not stop the connector, e.g. two replicas sharing
  // one consumer instance name; empty when there is none.
  std::string warning;
};

}  // namespace streamhost::connector
