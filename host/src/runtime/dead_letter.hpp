// The dead-letter envelope a REJECTed record becomes. One JSON object per rejected record, produced
// to the manifest's dead_letter_topic keyed by the original key, so an operator can see why and
// replay it. The format is documented in docs/runtime.md; change both together.
#pragma once

#include <streamhost/plugin_api.h>

#include <streamhost/connector/record.hpp>
#include <string>
#include <string_view>

#include "runtime/route.hpp"

namespace streamhost::host::runtime {

// No limit on an envelope's size.
inline constexpr size_t kUnlimitedEnvelope = 0;

// `time_iso8601` is when the record was rejected (UTC, e.g. 2026-01-01T10:00:00.123Z).
// With `max_bytes` set, an envelope that would be larger (one the dead-letter topic would refuse,
// stopping the pipeline on every restart) carries a prefix of the value, then of the key, then of
// the reason, cut so that it fits, with `<field>_truncated: true` and `<field>_bytes` (the original
// size) said in it. Unset, the bytes are always whole.
std::string dead_letter_envelope(const Route& route, const connector::ConsumedRecord& record,
                                 sh_status status, const std::string& reason,
                                 const std::string& time_iso8601,
                                 size_t max_bytes = kUnlimitedEnvelope);

// What a record quarantined by the crash journal carries in its envelope (status "crash").
struct CrashCause {
  std::string signal;   // e.g. "SIGSEGV", of the last crash
  int64_t crashes = 0;  // times the handler crashed the host on this record
};

// The envelope of a record dead-lettered without calling its handler because the handler crashed
// the host `cause.crashes` times on it: status "crash", and `signal` and `crashes` fields.
std::string crash_dead_letter_envelope(const Route& route, const connector::ConsumedRecord& record,
                                       const CrashCause& cause, const std::string& reason,
                                       const std::string& time_iso8601,
                                       size_t max_bytes = kUnlimitedEnvelope);

bool is_valid_utf8(std::string_view bytes);
std::string base64_encode(std::string_view bytes);

}  // namespace streamhost::host::runtime
