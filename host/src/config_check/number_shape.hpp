// The shape of a YAML 1.2 core schema number, scanned by hand: std::regex (libstdc++) recurses
// once per character matched, so a long run of digits in a manifest would overflow the stack, and
// it is slow.
#pragma once

#include <cstddef>
#include <string_view>

namespace streamhost::host {

enum class NumberShape { kNone, kInteger, kDecimal };

// kInteger: [-+]?[0-9]+; kDecimal: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? otherwise.
inline NumberShape number_shape(std::string_view text) {
  const auto digits_at = [&text](size_t at) {
    size_t end = at;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    return end - at;
  };
  size_t at = 0;
  if (at < text.size() && (text[at] == '-' || text[at] == '+')) ++at;
  const size_t whole = digits_at(at);
  at += whole;
  bool integer = whole > 0;
  if (at < text.size() && text[at] == '.') {
    const size_t fraction = digits_at(++at);
    if (whole == 0 && fraction == 0) return NumberShape::kNone;
    at += fraction;
    integer = false;
  } else if (whole == 0) {
    return NumberShape::kNone;
  }
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    if (at < text.size() && (text[at] == '-' || text[at] == '+')) ++at;
    const size_t exponent = digits_at(at);
    if (exponent == 0) return NumberShape::kNone;
    at += exponent;
    integer = false;
  }
  if (at != text.size()) return NumberShape::kNone;
  return integer ? NumberShape::kInteger : NumberShape::kDecimal;
}

}  // namespace streamhost::host
