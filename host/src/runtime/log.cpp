#include "runtime/log.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <streamhost/redact/redact.hpp>
#include <string_view>

namespace streamhost::host::log {
namespace {

Level initial_level() {
  const char* env = std::getenv("STREAMHOST_LOG_LEVEL");
  std::string_view v = env ? env : "";
  if (v == "debug") return Level::kDebug;
  if (v == "warn") return Level::kWarn;
  if (v == "error") return Level::kError;
  return Level::kInfo;
}

// Lines below this level are dropped; read once from the environment.
Level min_level() {
  static const Level level = initial_level();
  return level;
}

const char* level_name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

// Quotes a value when it holds spaces, quotes, '=' or control characters; keeps one line per
// record.
std::string quote(const std::string& v) {
  bool needs = v.empty();
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) needs = true;
  }
  if (!needs) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string utc_now_iso8601() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

void write(Level level, const std::string& component, const std::string& message,
           const Fields& fields) {
  if (level < min_level()) return;
  // Callers should pass no secret; the one redaction rule catches what slips through (a URL or
  // a DSN quoted in an error, a field named like a secret).
  std::string line = "ts=" + utc_now_iso8601() + " level=" + level_name(level) +
                     " component=" + quote(component) +
                     " msg=" + quote(redact::redact_text(message));
  for (const auto& [k, v] : fields) {
    line +=
        " " + k + "=" +
        (redact::is_secret_key(k) ? std::string(redact::kRedacted) : quote(redact::redact_text(v)));
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace streamhost::host::log
