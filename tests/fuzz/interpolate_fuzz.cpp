// ${VAR} interpolation of manifest values (host/src/manifest/interpolate.cpp).
//
// Invariants: never throws; agrees with an independent implementation of the grammar documented
// in interpolate.hpp (value and missing names when there is no error; an error exactly when the
// reference finds one); a variable's value is inserted once, literally (never interpolated again);
// text without "${" comes back unchanged.
#include <map>

#include "fuzz_support.hpp"
#include "manifest/interpolate.hpp"

namespace {

using namespace streamhost;
using streamhost::fuzz::printable;

const std::map<std::string, std::string>& variables() {
  static const std::map<std::string, std::string> vars{{"HOST", "kafka.local"}, {"PORT", "9092"},
                                                       {"EMPTY", ""},           {"REF", "${HOST}"},
                                                       {"_x9", "$${"},          {"A", "a}b"}};
  return vars;
}

std::optional<std::string> lookup(const std::string& name) {
  auto it = variables().find(name);
  if (it == variables().end()) return std::nullopt;
  return it->second;
}

struct Expected {
  std::string value;
  std::vector<std::string> missing;
  bool error = false;
};

bool name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool name_char(char c) {
  return name_start(c) || (c >= '0' && c <= '9');
}

// The documented grammar, read left to right: "$${" is a literal "${"; "${" opens a reference
// that the first "}" closes; inside, NAME or NAME:-default, where the default is everything up to
// that "}" taken literally.
Expected reference(std::string_view text) {
  Expected out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i, 3) == "$${") {
      out.value += "${";
      i += 3;
    } else if (text.substr(i, 2) == "${") {
      const size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) return out.error = true, out;
      const std::string_view inside = text.substr(i + 2, close - (i + 2));
      size_t n = 0;
      while (n < inside.size() && name_char(inside[n])) ++n;
      const std::string name(inside.substr(0, n));
      const std::string_view rest = inside.substr(n);
      if (name.empty() || !name_start(name[0]) || (!rest.empty() && rest.substr(0, 2) != ":-")) {
        return out.error = true, out;
      }
      const auto value = lookup(name);
      if (!rest.empty()) {
        out.value += value && !value->empty() ? *value : std::string(rest.substr(2));
      } else if (value) {
        out.value += *value;
      } else {
        out.missing.push_back(name);
      }
      i = close + 1;
    } else {
      out.value += text[i++];
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  host::InterpolationResult got;
  try {
    got = host::interpolate(text, lookup);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("interpolate threw: ") + e.what());
  }
  const Expected want = reference(text);
  FUZZ_CHECK(got.error.empty() != want.error,
             (want.error ? "no error for " : "error \"" + got.error + "\" for ") + printable(text));
  if (want.error) {
    FUZZ_CHECK(fuzz::strict_utf8(got.error) || !fuzz::strict_utf8(text),
               "the error of UTF-8 text is not UTF-8: " + printable(got.error));
    return 0;
  }
  FUZZ_CHECK(got.value == want.value, printable(text) + " gave " + printable(got.value) +
                                          ", expected " + printable(want.value));
  FUZZ_CHECK(got.missing == want.missing, "missing variables differ for " + printable(text));
  if (text.find("${") == std::string_view::npos) {
    FUZZ_CHECK(got.value == text, "text without a reference changed: " + printable(text));
  }
  return 0;
}
