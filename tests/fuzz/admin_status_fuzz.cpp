// `streamhost status`'s tables from the management API's two answers (host/src/cli/
// status_format.cpp, format_status): what the CLI prints to a terminal from bytes a running host,
// or whatever answers on its port, sent.
//
// The input is the two answers, split at the first NUL byte (GET /pipeline, then
// GET /pipeline/partitions; no NUL: the same bytes for both).
//
// Invariants: only std::invalid_argument escapes; the output is UTF-8 holding no control
// character but the line break (no terminal escape, no forged line from a name), its size grows
// at most linearly with the input, and every cell is cut at 120 bytes.
#include <stdexcept>

#include "cli/status_format.hpp"
#include "fuzz_support.hpp"

namespace {

using streamhost::fuzz::printable;

bool only_printable_and_newlines(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string pipeline = input.substr(0, nul);
  const std::string partitions = nul == std::string::npos ? input : input.substr(nul + 1);
  std::string out;
  try {
    out = streamhost::host::format_status(pipeline, partitions);
  } catch (const std::invalid_argument&) {
    return 0;
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("format_status let through: ") + e.what());
  }
  FUZZ_CHECK(streamhost::fuzz::strict_utf8(out), "output is not UTF-8: " + printable(out));
  FUZZ_CHECK(only_printable_and_newlines(out),
             "a control character reached the terminal: " + printable(out.substr(0, 2000)));
  // Eight columns of at most 120 bytes (plus "..." and two spaces) per row, and a row takes at
  // least 3 bytes of input ("{},").
  FUZZ_CHECK(out.size() <= 400 * size + 4096,
             std::to_string(out.size()) + " bytes out of " + std::to_string(size));
  size_t line_start = 0;
  while (line_start < out.size()) {
    const size_t end = out.find('\n', line_start);
    const size_t line = (end == std::string::npos ? out.size() : end) - line_start;
    FUZZ_CHECK(line <= 8 * (120 + 3 + 2) + 64, "a line of " + std::to_string(line) + " bytes");
    if (end == std::string::npos) break;
    line_start = end + 1;
  }
  return 0;
}
