// The one-word state an operator sees in GET /pipeline, `streamhost status` and the
// streamhost_pipeline_state metric, derived from the pipeline's health and its operator pauses.
// Precedence, first match wins:
//   FAILED    a FATAL (or a permanent poll or produce failure) stopped it; the reason says why
//   STOPPING  a stop was requested (signal) or the pipeline has ended
//   STALLED   a call to the REST proxy (poll, commit, ...) has waited longer than stall_after_ms:
//             the proxy accepts connections and does not answer (before PAUSED: a paused pipeline
//             still polls to keep its consumer, and a hung proxy will cost it that consumer)
//   PAUSED    an operator paused the pipeline, or every one of its routes
//   RETRYING  a handler RETRY holds a partition, or polling fails and backs off
//   RUNNING   otherwise (also while it starts: subscribing is a poll like any other)
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace streamhost::host::runtime {

enum class PipelineState { kRunning, kPaused, kRetrying, kFailed, kStopping, kStalled };

inline constexpr std::array<PipelineState, 6> kAllPipelineStates = {
    PipelineState::kRunning, PipelineState::kPaused,   PipelineState::kRetrying,
    PipelineState::kFailed,  PipelineState::kStopping, PipelineState::kStalled};

// "RUNNING", "PAUSED", "RETRYING", "FAILED", "STOPPING", "STALLED".
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
  std::string stalled_call;  // non-empty: this call to the proxy waits past stall_after
  std::chrono::steady_clock::duration stalled_for{};
};

struct StateReport {
  PipelineState state = PipelineState::kRunning;
  std::string reason;  // empty for RUNNING
};

StateReport derive_state(const StateInputs& in);

// "no answer from the REST proxy to the poll request for 4.2 s (including the connector's
// retries)": STALLED's reason, also the readiness check's detail.
std::string stall_reason(const std::string& call, std::chrono::steady_clock::duration waited);

}  // namespace streamhost::host::runtime
