// Calls one route's handler on one record through the C ABI and collects what it emitted.
// Used by the workers and by the testing-mode inject endpoint alike.
#pragma once

#include <streamhost/plugin_api.h>

#include <optional>
#include <streamhost/connector/record.hpp>
#include <string>
#include <vector>

#include "runtime/route.hpp"

namespace streamhost::host::runtime {

struct EmittedRecord {
  std::string topic;
  std::optional<std::string> key;  // nullopt: a null key
  std::string value;
};

struct HandlerResult {
  sh_status status = SH_STATUS_OK;
  std::string reason;  // set for anything but OK
  std::vector<EmittedRecord> outputs;
  double seconds = 0.0;  // the handler's own duration
};

// Runs the handler on the calling thread. An emit without a topic on a route without an output
// topic is refused (emit returns non-zero). A status outside the closed enum becomes FATAL.
HandlerResult call_handler(const Route& route, const connector::ConsumedRecord& record);

}  // namespace streamhost::host::runtime
