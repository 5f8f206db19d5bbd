#include "runtime/liveness.hpp"

namespace streamhost::host::runtime {
namespace {

std::string seconds(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
}

}  // namespace

std::optional<std::string> liveness_problem(const PipelineHealth& h,
                                            std::chrono::milliseconds stall) {
  if (!h.fatal_message.empty()) return "the pipeline failed: " + h.fatal_message;
  if (h.stopping) return std::string("the pipeline is stopping");
  if (h.since_poll_loop > stall) {
    return "the poll loop has not run for " + seconds(h.since_poll_loop);
  }
  if (h.in_flight > 0 && h.since_progress > stall) {
    return std::to_string(h.in_flight) + " records in flight and no progress for " +
           seconds(h.since_progress);
  }
  return std::nullopt;
}

}  // namespace streamhost::host::runtime
