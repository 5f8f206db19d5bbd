// Shared pieces of the libFuzzer harnesses (docs/testing.md, "Fuzzing"): an invariant check that
// aborts with a message (libFuzzer and the replay runner both report an abort as a failure and keep
// the input), an independent strict JSON check, and a small reader that splits one fuzz input into
// choices and byte strings.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace streamhost::fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* condition,
                              const std::string& detail) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n  %s\n", file, line, condition,
               detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// The text of a byte string for a message: printable ASCII kept, everything else \xNN, cut at
// `max` bytes.
inline std::string printable(std::string_view bytes, size_t max = 160) {
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (bytes.size() > max) out += "... (" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// RFC 3629 UTF-8, written independently of the code under test (no overlongs, no surrogates,
// nothing past U+10FFFF).
inline bool strict_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t min = 0, cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF)
      n = 1, min = 0x80, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
      n = 2, min = 0x800, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
      n = 3, min = 0x10000, cp = c & 0x07;
    else
      return false;
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

// Whether `text` is exactly one JSON value (RFC 8259: nothing after it but whitespace, and every
// string UTF-8 after its escapes are decoded, so a lone "\udc00" does not pass), parsed
// iteratively so a hostile depth cannot overflow the checker itself.
// Whether every object key in JSON `text` is free of control characters (U+0000-U+001F,
// U+007F-U+009F), written out as escapes or not. False when not JSON.
inline bool json_keys_printable(std::string_view text) {
  struct Keys : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Keys> {
    bool Key(const char* s, rapidjson::SizeType n, bool) {
      for (size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F) return false;
        // U+0080-U+009F are C2 80 to C2 9F in UTF-8.
        if (c == 0xC2 && i + 1 < n && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return false;
      }
      return true;
    }
  } handler;
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::Reader reader;
  return !reader.Parse<rapidjson::kParseIterativeFlag>(stream, handler).IsError();
}

// Whether JSON `text` holds a NUL in a string or a key (escaped as \u0000). False when not JSON.
inline bool json_holds_nul(std::string_view text) {
  struct Nuls : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Nuls> {
    bool found = false;
    bool String(const char* s, rapidjson::SizeType n, bool) { return check({s, n}); }
    bool Key(const char* s, rapidjson::SizeType n, bool) { return check({s, n}); }
    bool check(std::string_view s) {
      found = found || s.find('\0') != std::string_view::npos;
      return true;
    }
  } handler;
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::Reader reader;
  return !reader.Parse<rapidjson::kParseIterativeFlag>(stream, handler).IsError() && handler.found;
}

inline bool is_strict_json(std::string_view text) {
  struct Strings : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Strings> {
    bool String(const char* s, rapidjson::SizeType n, bool) { return strict_utf8({s, n}); }
    bool Key(const char* s, rapidjson::SizeType n, bool) { return strict_utf8({s, n}); }
  } handler;
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::Reader reader;
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  // A NUL byte ends RapidJSON's input early: the value must end where the text does.
  return !reader.Parse<kFlags>(stream, handler).IsError() && stream.Tell() == text.size();
}

// Parses `text` into `doc` for a harness's reference values, numbers converted by strtod (glibc's
// is correctly rounded; the fuzzers run in the C locale), independently of json::parse_bounded.
// RapidJSON's own conversions are not correctly rounded, or, with full precision, read "0e40" as
// 2.18e40. Integers that fit 64 bits stay integers, as RapidJSON has them. False when not JSON.
inline bool reference_parse(rapidjson::Document& doc, std::string_view text) {
  struct Numbers {
    rapidjson::Document& d;
    bool Null() { return d.Null(); }
    bool Bool(bool b) { return d.Bool(b); }
    bool Int(int i) { return d.Int(i); }
    bool Uint(unsigned u) { return d.Uint(u); }
    bool Int64(int64_t i) { return d.Int64(i); }
    bool Uint64(uint64_t u) { return d.Uint64(u); }
    bool Double(double x) { return d.Double(x); }
    bool String(const char* s, rapidjson::SizeType n, bool copy) { return d.String(s, n, copy); }
    bool Key(const char* s, rapidjson::SizeType n, bool copy) { return d.Key(s, n, copy); }
    bool StartObject() { return d.StartObject(); }
    bool EndObject(rapidjson::SizeType n) { return d.EndObject(n); }
    bool StartArray() { return d.StartArray(); }
    bool EndArray(rapidjson::SizeType n) { return d.EndArray(n); }
    bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
      const std::string t(s, n);
      if (t.find_first_of(".eE") == std::string::npos) {
        errno = 0;
        if (t[0] == '-') {
          const long long i = std::strtoll(t.c_str(), nullptr, 10);
          if (errno == 0) return d.Int64(i);
        } else {
          const unsigned long long u = std::strtoull(t.c_str(), nullptr, 10);
          if (errno == 0) return d.Uint64(u);
        }
      }
      return d.Double(std::strtod(t.c_str(), nullptr));
    }
  };
  bool ok = false;
  auto generate = [&](rapidjson::Document& target) {
    Numbers handler{target};
    rapidjson::MemoryStream stream(text.data(), text.size());
    rapidjson::Reader reader;
    constexpr unsigned kFlags = rapidjson::kParseIterativeFlag |
                                rapidjson::kParseValidateEncodingFlag |
                                rapidjson::kParseNumbersAsStringsFlag;
    ok = !reader.Parse<kFlags>(stream, handler).IsError();
    return ok;
  };
  doc.Populate(generate);
  return ok;
}

// The deepest nesting of arrays and objects in `text` (0 for a scalar); 0 when it is not JSON.
inline unsigned json_depth(std::string_view text) {
  struct Depth : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Depth> {
    unsigned depth = 0, max = 0;
    bool StartObject() { return enter(); }
    bool StartArray() { return enter(); }
    bool EndObject(rapidjson::SizeType) { return --depth, true; }
    bool EndArray(rapidjson::SizeType) { return --depth, true; }
    bool enter() {
      max = std::max(max, ++depth);
      return true;
    }
  } handler;
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::Reader reader;
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  return reader.Parse<kFlags>(stream, handler).IsError() ? 0 : handler.max;
}

// RFC 4648 base64 with padding, written independently of the two encoders under test. Like them
// it accepts non-zero bits in the last character before the padding (RFC 4648 3.5 allows either).
inline std::optional<std::string> reference_base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=')
    pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  uint32_t bits = 0;
  int nbits = 0;
  for (size_t i = 0; i < text.size() - pad; ++i) {
    const int v = value(text[i]);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(static_cast<char>((bits >> nbits) & 0xFF));
    }
  }
  return out;
}

inline std::string reference_base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) |
                       (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint32_t(uint8_t(bytes[i + 2]));
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (bytes.size() - i == 1) {
    const uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (bytes.size() - i == 2) {
    const uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// Consumes one fuzz input from the front: single bytes for choices, then byte strings.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool empty() const { return at_ >= size_; }
  size_t remaining() const { return size_ - at_; }
  // The next byte, or 0 once the input is used up.
  uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(byte() | (byte() << 8)); }
  // Up to `n` bytes (fewer at the end of the input).
  std::string_view take(size_t n) {
    if (n > remaining()) n = remaining();
    std::string_view out(reinterpret_cast<const char*>(data_ + at_), n);
    at_ += n;
    return out;
  }
  std::string_view rest() { return take(remaining()); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

}  // namespace streamhost::fuzz

#define FUZZ_CHECK(condition, detail)                                                     \
  do {                                                                                    \
    if (!(condition)) ::streamhost::fuzz::fail(__FILE__, __LINE__, #condition, (detail)); \
  } while (0)
