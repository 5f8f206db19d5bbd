#include "runtime/pipeline_state.hpp"

namespace streamhost::host::runtime {

std::string_view state_name(PipelineState state) {
  switch (state) {
    case PipelineState::kRunning:
      return "RUNNING";
    case PipelineState::kPaused:
      return "PAUSED";
    case PipelineState::kRetrying:
      return "RETRYING";
    case PipelineState::kFailed:
      return "FAILED";
    case PipelineState::kStopping:
      return "STOPPING";
    case PipelineState::kStalled:
      return "STALLED";
  }
  return "UNKNOWN";
}

std::string stall_reason(const std::string& call, std::chrono::steady_clock::duration waited) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(waited).count();
  // The time is of the whole Source call, the connector's retries and Retry-After waits
  // included: the reason says so rather than claim one request went unanswered that long.
  return "no answer from the REST proxy to the " + call + " request for " +
         std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) +
         " s (including the connector's retries)";
}

StateReport derive_state(const StateInputs& in) {
  if (!in.fatal_message.empty()) return {PipelineState::kFailed, in.fatal_message};
  if (in.stopping) return {PipelineState::kStopping, "a stop was requested"};
  if (!in.stalled_call.empty()) {
    return {PipelineState::kStalled, stall_reason(in.stalled_call, in.stalled_for)};
  }
  if (in.pipeline_paused) return {PipelineState::kPaused, "paused by an operator"};
  if (in.routes > 0 && in.routes_paused >= in.routes) {
    return {PipelineState::kPaused, "every route is paused by an operator"};
  }
  if (in.retry_paused_partitions > 0) {
    return {PipelineState::kRetrying,
            std::to_string(in.retry_paused_partitions) +
                (in.retry_paused_partitions == 1 ? " partition waits" : " partitions wait") +
                " on a handler RETRY"};
  }
  if (!in.source_ok) return {PipelineState::kRetrying, "polling fails: " + in.source_error};
  return {PipelineState::kRunning, ""};
}

}  // namespace streamhost::host::runtime
