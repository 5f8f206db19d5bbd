// Whether manifest text is UTF-8 made of characters YAML allows. YAML requires printable Unicode
// text, but yaml-cpp passes any byte through (and reads a raw 0x04 as its own end-of-input mark,
// mangling what follows it), and a manifest's names and values end up in JSON (plugin configs,
// proxy requests, dead-letter envelopes), which must be UTF-8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace streamhost::host {

struct CodePoint {
  uint32_t value;
  size_t bytes;  // 1 to 4
};

// The code point starting at `text[at]`, or nullopt when the bytes there are not a valid UTF-8
// sequence (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
inline std::optional<CodePoint> decode_utf8(std::string_view text, size_t at) {
  const auto c = static_cast<unsigned char>(text[at]);
  if (c < 0x80) return CodePoint{c, 1};
  size_t n;
  uint32_t cp, min;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 1, cp = c & 0x1Fu, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 2, cp = c & 0x0Fu, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 3, cp = c & 0x07u, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (text.size() - at <= n) return std::nullopt;
  for (size_t k = 1; k <= n; ++k) {
    const auto d = static_cast<unsigned char>(text[at + k]);
    if ((d & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (d & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  return CodePoint{cp, n + 1};
}

// The offset of the first byte that is not part of a valid UTF-8 sequence, or nullopt when all of
// `text` is UTF-8.
inline std::optional<size_t> first_non_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto cp = decode_utf8(text, i);
    if (!cp) return i;
    i += cp->bytes;
  }
  return std::nullopt;
}

// C0 and C1 control characters and DEL: never part of a name, and unreadable in a message.
inline bool is_control_character(uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

// YAML 1.2's c-printable: a stream may hold tab, line breaks, NEL and printable characters only;
// the others must be written as escapes in double-quoted strings.
inline bool is_yaml_printable(uint32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x85) return true;
  return !is_control_character(cp) && cp != 0xFFFE && cp != 0xFFFF;
}

struct Misplaced {
  size_t offset;
  uint32_t code_point;
};

// The first character of UTF-8 `text` that YAML does not allow in a stream, or nullopt.
inline std::optional<Misplaced> first_non_printable(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto cp = decode_utf8(text, i);
    if (!cp) return std::nullopt;  // not UTF-8: first_non_utf8 tells where
    if (!is_yaml_printable(cp->value)) return Misplaced{i, cp->value};
    i += cp->bytes;
  }
  return std::nullopt;
}

// "U+0004": how messages name a character that cannot be shown.
inline std::string code_point_name(uint32_t cp) {
  char name[16];
  std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(cp));
  return name;
}

}  // namespace streamhost::host
