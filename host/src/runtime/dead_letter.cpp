#include "runtime/dead_letter.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <functional>
#include <streamhost/redact/redact.hpp>

namespace streamhost::host::runtime {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// How much of a field the envelope carries: all of it, or its first `keep` bytes.
struct Cut {
  size_t keep = std::string::npos;
};

// A prefix of `bytes` of at most `keep` bytes that does not split a UTF-8 sequence (when the
// bytes are text), so a truncated text value is still text.
std::string_view prefix(std::string_view bytes, size_t keep, bool text) {
  if (keep >= bytes.size()) return bytes;
  size_t n = keep;
  if (text) {
    while (n > 0 && (static_cast<unsigned char>(bytes[n]) & 0xC0) == 0x80) --n;
  }
  return bytes.substr(0, n);
}

// Writes `<name>` and `<name>_encoding`: text when the bytes are UTF-8 (JSON strings must be),
// base64 otherwise; null stays null (a null key or a tombstone). A cut adds `<name>_truncated`
// and `<name>_bytes`.
void write_bytes(JsonWriter& w, const char* name, const std::optional<std::string>& bytes,
                 Cut cut) {
  w.Key(name);
  if (!bytes) {
    w.Null();
    w.Key((std::string(name) + "_encoding").c_str());
    w.Null();
    return;
  }
  const bool text = is_valid_utf8(*bytes);
  const std::string_view kept = prefix(*bytes, cut.keep, text);
  if (text) {
    w.String(kept.data(), static_cast<rapidjson::SizeType>(kept.size()));
  } else {
    w.String(base64_encode(kept));
  }
  w.Key((std::string(name) + "_encoding").c_str());
  w.String(text ? "utf8" : "base64");
  if (kept.size() < bytes->size()) {
    w.Key((std::string(name) + "_truncated").c_str());
    w.Bool(true);
    w.Key((std::string(name) + "_bytes").c_str());
    w.Uint64(bytes->size());
  }
}

struct Cuts {
  Cut key, value, reason;
};

// Why a record is dead-lettered: the handler's status, or a crash (status "crash").
struct Cause {
  const char* status;
  const CrashCause* crash = nullptr;
};

std::string envelope_with(const Route& route, const connector::ConsumedRecord& record,
                          const Cause& cause, const std::string& reason,
                          const std::string& time_iso8601, const Cuts& cuts);

std::string envelope_of(const Route& route, const connector::ConsumedRecord& record,
                        const Cause& cause, const std::string& reason,
                        const std::string& time_iso8601, size_t max_bytes);

}  // namespace

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned char c = p[i];
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Overlong encodings, surrogates and values past U+10FFFF are not UTF-8.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

std::string base64_encode(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = p[i] << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (p[i] << 16) | (p[i + 1] << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

namespace {

std::string envelope_with(const Route& route, const connector::ConsumedRecord& record,
                          const Cause& cause, const std::string& reason,
                          const std::string& time_iso8601, const Cuts& cuts) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  write_bytes(w, "key", record.key, cuts.key);
  write_bytes(w, "value", record.value, cuts.value);
  w.Key("topic");
  w.String(record.topic);
  w.Key("partition");
  w.Int(record.partition);
  w.Key("offset");
  w.Int64(record.offset);
  w.Key("timestamp");
  if (record.timestamp_ms >= 0) {
    w.Int64(record.timestamp_ms);
  } else {
    w.Null();
  }
  w.Key("route");
  w.String(route.name);
  w.Key("handler");
  w.String(route.handler_name());
  w.Key("plugin");
  w.String(route.plugin_name());
  w.Key("plugin_version");
  const char* version = route.handler.plugin->descriptor().version;
  w.String(version ? version : "");
  w.Key("status");
  w.String(cause.status);
  if (cause.crash != nullptr) {
    w.Key("signal");
    w.String(cause.crash->signal);
    w.Key("crashes");
    w.Int64(cause.crash->crashes);
  }
  const std::optional<std::string> why(is_valid_utf8(reason) ? reason : base64_encode(reason));
  if (cuts.reason.keep < why->size()) {
    write_bytes(w, "reason", why, cuts.reason);
  } else {
    w.Key("reason");
    w.String(*why);
  }
  w.Key("time");
  w.String(time_iso8601);
  w.EndObject();
  return buf.GetString();
}

// Keeps the longest prefix of one field with which the envelope fits, or none when even an empty
// field does not fit. Escaping and base64 make the envelope's size a monotonic but not linear
// function of the bytes kept, so this searches; only oversized records pay for it.
bool shrink(Cut& cut, size_t field_size, const std::function<std::string()>& build,
            size_t max_bytes, std::string& out) {
  if (field_size == 0) return false;
  size_t fits = 0, too_big = field_size;  // invariant: keeping too_big bytes does not fit
  cut.keep = 0;
  std::string best = build();
  if (best.size() > max_bytes) {
    out = std::move(best);
    return false;
  }
  while (too_big - fits > 1) {
    const size_t mid = fits + (too_big - fits) / 2;
    cut.keep = mid;
    std::string candidate = build();
    if (candidate.size() <= max_bytes) {
      fits = mid;
      best = std::move(candidate);
    } else {
      too_big = mid;
    }
  }
  cut.keep = fits;
  out = std::move(best);
  return true;
}

std::string envelope_of(const Route& route, const connector::ConsumedRecord& record,
                        const Cause& cause, const std::string& raw_reason,
                        const std::string& time_iso8601, size_t max_bytes) {
  // A handler's or the host's reason may quote a URL or a DSN: the dead-letter topic is read by
  // more people than the pod's logs, so the one redaction rule applies here too.
  const std::string reason = redact::redact_text(raw_reason);
  Cuts cuts;
  auto build = [&] { return envelope_with(route, record, cause, reason, time_iso8601, cuts); };
  std::string out = build();
  if (max_bytes == kUnlimitedEnvelope || out.size() <= max_bytes) return out;
  // The value is usually what is big; then the key; a huge reason last.
  if (shrink(cuts.value, record.value ? record.value->size() : 0, build, max_bytes, out))
    return out;
  if (shrink(cuts.key, record.key ? record.key->size() : 0, build, max_bytes, out)) return out;
  const size_t reason_text = is_valid_utf8(reason) ? reason.size() : (reason.size() + 2) / 3 * 4;
  shrink(cuts.reason, reason_text, build, max_bytes, out);
  return out;
}

}  // namespace

std::string dead_letter_envelope(const Route& route, const connector::ConsumedRecord& record,
                                 sh_status status, const std::string& reason,
                                 const std::string& time_iso8601, size_t max_bytes) {
  return envelope_of(route, record, Cause{sh_status_name(status)}, reason, time_iso8601, max_bytes);
}

std::string crash_dead_letter_envelope(const Route& route, const connector::ConsumedRecord& record,
                                       const CrashCause& cause, const std::string& reason,
                                       const std::string& time_iso8601, size_t max_bytes) {
  return envelope_of(route, record, Cause{"crash", &cause}, reason, time_iso8601, max_bytes);
}

}  // namespace streamhost::host::runtime
