// Generated traffic for `streamhost bench --generate`: a value (and optionally a key) template
// whose placeholders are filled per record, deterministically from a seed.
//
//   {{seq}}               the record's sequence number, 0, 1, 2, ...
//   {{int:MIN:MAX}}       a uniform random integer in [MIN, MAX]
//   {{float:MIN:MAX}}     a uniform random number in [MIN, MAX), printed with 6 decimals
//   {{choice:A|B|C}}      one of the listed words, uniformly
//   {{now_ms}}            the wall clock in milliseconds since the epoch, when generated
//   {{key}}               the record's key as the key template rendered it (value templates only),
//                         so a field can repeat the key: --key '{{int:1:1500}}' and
//                         --generate '{"customer_id":{{key}}}'
//
// Anything else between {{ and }} is an error at parse time, naming the placeholder, so a typo
// never becomes literal text in every record. "{{{{" writes a literal "{{".
#pragma once

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace streamhost::host::bench {

struct TemplateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class RecordTemplate {
 public:
  // Throws TemplateError on an unknown or malformed placeholder.
  explicit RecordTemplate(std::string_view text);

  // The text for record `seq`, drawing random fields from `random`. Not thread-safe (the caller
  // owns `random`).
  std::string render(uint64_t seq, std::mt19937_64& random, std::string_view key = {}) const;

 private:
  enum class Kind { kLiteral, kSeq, kInt, kFloat, kChoice, kNowMs, kKey };
  struct Part {
    Kind kind = Kind::kLiteral;
    std::string literal;
    int64_t min = 0, max = 0;
    double fmin = 0, fmax = 0;
    std::vector<std::string> choices;
  };
  static Part parse_placeholder(std::string_view body);
  void push_literal(std::string text);

  std::vector<Part> parts_;
};

}  // namespace streamhost::host::bench
