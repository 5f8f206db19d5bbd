// Structured single-line logs on stderr, logfmt style:
//   ts=2026-01-01T10:00:00.123Z level=info component=runtime msg="..." key=value ...
// One fprintf per line so lines from concurrent threads never interleave. Callers must not pass
// secrets (the proxy password never reaches a log call); every message and field value still goes
// through the one redaction rule (docs/security.md), and a field whose name is a secret key is
// written as [redacted].
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace streamhost::host::log {

enum class Level { kDebug, kInfo, kWarn, kError };

using Fields = std::vector<std::pair<std::string, std::string>>;

// Lines below the level STREAMHOST_LOG_LEVEL names (debug|info|warn|error; default info), read
// at the first line, are dropped.
void write(Level level, const std::string& component, const std::string& message,
           const Fields& fields = {});

inline void info(const std::string& component, const std::string& m, const Fields& f = {}) {
  write(Level::kInfo, component, m, f);
}
inline void warn(const std::string& component, const std::string& m, const Fields& f = {}) {
  write(Level::kWarn, component, m, f);
}
inline void error(const std::string& component, const std::string& m, const Fields& f = {}) {
  write(Level::kError, component, m, f);
}

// The current UTC time as ISO-8601 with milliseconds, e.g. 2026-01-01T10:00:00.123Z.
std::string utc_now_iso8601();

}  // namespace streamhost::host::log
