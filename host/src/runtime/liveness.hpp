// What GET /healthz decides: is this process still doing its job, or should it be replaced?
// Not alive once a FATAL stopped the pipeline or a stop is under way, when the poll loop has not
// gone round for `stall`, or when records are in flight and nothing progressed for `stall` (a
// handler or HTTP call that never returns). A dependency outage is not a liveness failure: its
// retries and failed requests are progress, and restarting would not bring the dependency back.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "runtime/pipeline.hpp"

namespace streamhost::host::runtime {

// nullopt while alive, else why not. Only reads `health`: safe on the HTTP pool.
std::optional<std::string> liveness_problem(const PipelineHealth& health,
                                            std::chrono::milliseconds stall);

}  // namespace streamhost::host::runtime
