// Base64, both implementations: the connectors' (connectors/rest_proxy/src/base64.cpp: binary keys,
// values and header values of the proxies) and the dead-letter envelope's
// (host/src/runtime/dead_letter.cpp).
//
// Invariants, for the input as text to decode and as bytes to encode:
//   - decode accepts exactly what an independent RFC 4648 decoder accepts, with the same bytes;
//   - decode(encode(x)) == x, and encode(decode(t)) == t when t is canonical;
//   - both encoders agree with each other and with the independent encoder.
#include "base64.hpp"
#include "fuzz_support.hpp"
#include "runtime/dead_letter.hpp"

namespace {

using namespace streamhost;
using streamhost::fuzz::printable;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = fuzz::as_text(data, size);

  // As base64 text from a proxy.
  const auto decoded = connector::detail::base64_decode(input);
  const auto expected = fuzz::reference_base64_decode(input);
  FUZZ_CHECK(decoded.has_value() == expected.has_value(),
             std::string(decoded ? "accepted " : "refused ") + printable(input));
  if (decoded) {
    FUZZ_CHECK(*decoded == *expected, printable(input) + " decoded as " + printable(*decoded));
    const std::string again = connector::detail::base64_encode(*decoded);
    FUZZ_CHECK(connector::detail::base64_decode(again) == decoded, "re-encoding changed the bytes");
    if (again != input) {
      // Only the unused bits of the last character before the padding may differ.
      FUZZ_CHECK(again.size() == input.size() && input.ends_with('=') &&
                     again.substr(0, again.size() - 4) == input.substr(0, input.size() - 4),
                 printable(input) + " re-encoded as " + printable(again));
    }
  }

  // As bytes to encode.
  const std::string encoded = connector::detail::base64_encode(input);
  FUZZ_CHECK(encoded.size() == (input.size() + 2) / 3 * 4, "encoded length");
  FUZZ_CHECK(encoded == fuzz::reference_base64_encode(input), "connector encoding differs");
  FUZZ_CHECK(
      encoded == host::runtime::base64_encode(input),
      "the dead-letter envelope's base64 differs from the connector's for " + printable(input));
  const auto round = connector::detail::base64_decode(encoded);
  FUZZ_CHECK(round && *round == input, "decode(encode(x)) != x for " + printable(input));
  return 0;
}
