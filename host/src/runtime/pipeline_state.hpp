// The one-word state an operator sees in GET /pipeline, `streamhost status` and the
// streamhost_pipeline_state metric, derived from the pipeline's health and its operator pauses.
// Precedence, first match wins:
//   FAILED    a FATAL (or a permanent poll or produce failure) stopped it; the reason says why
//   STOPPING  a stop was requested (signal) or the pipeline has ended
//   PAUSED    an operator paused the pipeline, or every one of its routes
//   RETRYING  a handler RETRY holds a partition, or polling fails and backs off
//   RUNNING   otherwise (also while it starts: subscribing is a poll like any other)
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace streamhost::host::runtime {

enum class PipelineState { kRunning, kPaused, kRetrying, kFailed, kStopping };

inline constexpr std::array<PipelineState, 5> kAllPipelineStates = {
    PipelineState::kRunning, PipelineState::kPaused, PipelineState::kRetrying,
    PipelineState::kFailed, PipelineState::kStopping};

// "RUNNING", "PAUSED", "RETRYING", "FAILED", "STOPPING".
std::string_view state_name(PipelineState state);

// What the state is derived from (a subset of PipelineHealth plus the operator pauses).
struct StateInputs {
  std::string fatal_message;  // non-empty once a FATAL stopped the pipeline
  bool stopping = false;
  bool pipeline_paused = false;  // POST /pipeline/pause
  size_t routes = 0;
  size_t routes_paused = 0;  // routes paused one by one
  size_t retry_paused_partitions = 0;
  bool source_ok = true;
  std::string source_error;
};

struct StateReport {
  PipelineState state = PipelineState::kRunning;
  std::string reason;  // empty for RUNNING
};

StateReport derive_state(const StateInputs& in);

}  // namespace streamhost::host::runtime
