#include "runtime/dead_letter.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace streamhost::host::runtime {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Writes `<name>` and `<name>_encoding`: text when the bytes are UTF-8 (JSON strings must be),
// base64 otherwise; null stays null (a null key or a tombstone).
void write_bytes(JsonWriter& w, const char* name, const std::optional<std::string>& bytes) {
  w.Key(name);
  if (!bytes) {
    w.Null();
    w.Key((std::string(name) + "_encoding").c_str());
    w.Null();
    return;
  }
  bool text = is_valid_utf8(*bytes);
  if (text) {
    w.String(bytes->data(), static_cast<rapidjson::SizeType>(bytes->size()));
  } else {
    w.String(base64_encode(*bytes));
  }
  w.Key((std::string(name) + "_encoding").c_str());
  w.String(text ? "utf8" : "base64");
}

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

std::string dead_letter_envelope(const Route& route, const connector::ConsumedRecord& record,
                                 sh_status status, const std::string& reason,
                                 const std::string& time_iso8601) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  write_bytes(w, "key", record.key);
  write_bytes(w, "value", record.value);
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
  w.String(sh_status_name(status));
  w.Key("reason");
  w.String(is_valid_utf8(reason) ? reason : base64_encode(reason));
  w.Key("time");
  w.String(time_iso8601);
  w.EndObject();
  return buf.GetString();
}

}  // namespace streamhost::host::runtime
