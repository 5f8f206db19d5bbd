// The proxies' base64 is the project's one implementation (common/text), named here as the
// connector's code has always called it.
#pragma once

#include <streamhost/text/base64.hpp>

namespace streamhost::connector::detail {

using text::base64_decode;
using text::base64_encode;

}  // namespace streamhost::connector::detail
