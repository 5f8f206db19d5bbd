// Standard base64 (RFC 4648, with padding): the encoding the proxies use for binary keys and
// values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace streamhost::text {

std::string base64_encode(std::string_view bytes);

// nullopt when `text` is not valid padded base64 (wrong length, foreign character, bad padding).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace streamhost::text
