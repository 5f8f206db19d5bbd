// Parsing JSON from outside the process without letting its shape crash us.
//
// RapidJSON's default parser recurses once per nesting level, so a record of half a megabyte of
// '[' overflows the stack. This parses iteratively (no recursion in the reader) and refuses input
// nested deeper than a bound, so the values it returns are also safe to walk recursively
// (Accept(), schema validation, copying). Size is bounded by the caller's read limits.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace streamhost::json {

// Deep enough for any document the project reads (events, replies, manifests nest < 10 levels).
inline constexpr unsigned kDefaultMaxDepth = 64;

// A SAX handler that counts nesting and forwards every event to the document being built.
template <typename Document>
class DepthLimitedHandler {
 public:
  DepthLimitedHandler(Document& doc, unsigned max_depth) : doc_(doc), max_depth_(max_depth) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t u) { return doc_.Uint64(u); }
  // Not called: numbers come as text (below). RapidJSON's reader needs it to compile.
  bool Double(double d) { return std::isfinite(d) && doc_.Double(d); }
  // Numbers come as text (kParseNumbersAsStringsFlag) and are converted here. RapidJSON 1.1's own
  // conversion is not correctly rounded ("0.30000000000000007" becomes 0.3000000000000001, so a
  // number passed on changes), and its full-precision one reads a zero with an exponent above 22
  // ("0e40") as 2.18e40. std::from_chars is correctly rounded and ignores the locale. Integers
  // that fit 64 bits stay integers; others become doubles, as RapidJSON does.
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    const std::string_view text(s, n);
    if (text.find_first_of(".eE") == std::string_view::npos) {
      if (text.front() == '-') {
        int64_t i = 0;
        if (std::from_chars(text.data(), text.data() + n, i).ec == std::errc()) {
          return doc_.Int64(i);
        }
      } else {
        uint64_t u = 0;
        if (std::from_chars(text.data(), text.data() + n, u).ec == std::errc()) {
          return doc_.Uint64(u);
        }
      }
    }
    double d = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + n, d);
    if (error == std::errc::result_out_of_range) {
      // JSON has no infinity (writing one back out fails half-way); below the smallest double the
      // nearest one is zero.
      if (power_of_ten(text) >= 0) {
        too_big_ = true;
        return false;
      }
      d = text.front() == '-' ? -0.0 : 0.0;
    } else if (error != std::errc() || end != text.data() + n) {
      return false;  // not reached: the reader has checked the number's grammar
    }
    return doc_.Double(d);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return utf8_only(s, n) && doc_.String(s, n, copy);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    return utf8_only(s, n) && doc_.Key(s, n, copy);
  }
  bool StartObject() { return enter() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) { return leave() && doc_.EndObject(n); }
  bool StartArray() { return enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return leave() && doc_.EndArray(n); }

  bool too_deep() const { return too_deep_; }
  bool lone_surrogate() const { return lone_surrogate_; }
  bool too_big() const { return too_big_; }

 private:
  // RapidJSON 1.1 validates the input's UTF-8 but decodes a lone low-surrogate escape ("\udc00")
  // into bytes that are not UTF-8 (ED B0 80), which would then reach reasons, logs and JSON we
  // write. Raw surrogate bytes never get here (the reader refuses them), so ED followed by A0-BF
  // can only come from such an escape.
  bool utf8_only(const char* s, rapidjson::SizeType n) {
    for (rapidjson::SizeType i = 0; i + 1 < n; ++i) {
      if (static_cast<unsigned char>(s[i]) == 0xED &&
          static_cast<unsigned char>(s[i + 1]) >= 0xA0) {
        lone_surrogate_ = true;
        return false;
      }
    }
    return true;
  }

  // The power of ten of the first non-zero digit of a non-zero JSON number ("0.05e3" -> 1),
  // clamped to +-100000.
  static long power_of_ten(std::string_view text) {
    size_t at = text.front() == '-' ? 1 : 0;
    long digits_before_point = 0, first_nonzero = -1, index = 0;
    bool after_point = false;
    for (; at < text.size() && text[at] != 'e' && text[at] != 'E'; ++at) {
      if (text[at] == '.') {
        after_point = true;
        continue;
      }
      if (first_nonzero < 0 && text[at] != '0') first_nonzero = index;
      if (!after_point) ++digits_before_point;
      ++index;
    }
    long exponent = 0;
    if (at < text.size()) {
      const bool negative = ++at < text.size() && text[at] == '-';
      if (at < text.size() && (text[at] == '-' || text[at] == '+')) ++at;
      for (; at < text.size() && exponent < 100000; ++at)
        exponent = exponent * 10 + (text[at] - '0');
      if (negative) exponent = -exponent;
    }
    return digits_before_point - 1 - first_nonzero + exponent;
  }

  bool enter() {
    if (++depth_ > max_depth_) {
      too_deep_ = true;
      return false;
    }
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }

  Document& doc_;
  unsigned max_depth_;
  unsigned depth_ = 0;
  bool too_deep_ = false;
  bool lone_surrogate_ = false;
  bool too_big_ = false;
};

// Why a bounded parse failed; empty `message` means it did not.
struct ParseError {
  std::string message;  // "nested deeper than 64 levels", "Invalid value.", ...
  size_t offset = 0;    // byte offset of the failure in the input
  explicit operator bool() const { return !message.empty(); }
};

// Parses `text` into `doc` iteratively with at most `max_depth` levels of arrays and objects,
// with UTF-8 validated (input bytes and \u escapes alike) and numbers correctly rounded. On failure
// `doc` is left null and the error says what and where.
template <typename Document>
ParseError parse_bounded(Document& doc, std::string_view text,
                         unsigned max_depth = kDefaultMaxDepth) {
  // Numbers as text: DepthLimitedHandler::RawNumber converts them, correctly rounded.
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseNumbersAsStringsFlag;
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::ParseResult result;
  bool too_deep = false;
  bool lone_surrogate = false;
  bool too_big = false;
  auto generate = [&](Document& target) {
    DepthLimitedHandler<Document> handler(target, max_depth);
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>> reader;
    result = reader.template Parse<kFlags>(stream, handler);
    too_deep = handler.too_deep();
    lone_surrogate = handler.lone_surrogate();
    too_big = handler.too_big();
    return !result.IsError();
  };
  doc.SetNull();
  doc.Populate(generate);
  // RapidJSON stops at a NUL byte as if the text ended there; anything after it is not JSON.
  if (!result.IsError() && stream.Tell() != text.size()) {
    doc.SetNull();
    return {"unexpected bytes after the JSON value", stream.Tell()};
  }
  if (!result.IsError()) return {};
  doc.SetNull();
  if (too_deep) {
    return {"nested deeper than " + std::to_string(max_depth) + " levels", result.Offset()};
  }
  if (lone_surrogate) {
    return {"a string holds an unpaired UTF-16 surrogate escape (\\uDC00-\\uDFFF)",
            result.Offset()};
  }
  if (too_big) return {"a number is beyond the range of a double", result.Offset()};
  return {rapidjson::GetParseError_En(result.Code()), result.Offset()};
}

}  // namespace streamhost::json
