// Calls one route's handler on one record through the C ABI and collects what it emitted.
// Used by the workers and by the testing-mode inject endpoint alike; the boundary call itself is
// plugin/handler_boundary.*, shared with the SDK's test harness.
#pragma once

#include <streamhost/connector/record.hpp>

#include "plugin/handler_boundary.hpp"
#include "runtime/route.hpp"

namespace streamhost::host::runtime {

using host::EmittedRecord;
using host::HandlerResult;

// Runs the handler on the calling thread. An emit without a topic on a route without an output
// topic is refused (emit returns non-zero). A status outside the closed enum becomes FATAL.
HandlerResult call_handler(const Route& route, const connector::ConsumedRecord& record);

}  // namespace streamhost::host::runtime
