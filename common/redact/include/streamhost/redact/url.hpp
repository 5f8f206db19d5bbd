// A URL split into its parts without a copy, for the checks that must not trust a prefix test
// (the scheme is compared case-insensitively, as RFC 3986 says) and for redaction. Not a full
// RFC 3986 parser: it finds the parts a caller needs and nothing is decoded.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace streamhost::url {

struct UrlParts {
  std::string_view scheme;     // as written, e.g. "HTTPS"
  std::string_view user_info;  // before the authority's last '@', empty when none
  bool has_user_info = false;  // an '@' in the authority, even with nothing before it
  std::string_view host_port;  // the authority after any user-info
  std::string_view path;       // from the first '/' after the authority; may be empty
  std::string_view query;      // after '?', without it; empty when none
  std::string_view fragment;   // after '#', without it
};

// The parts of `url` ("scheme://authority[/path][?query][#fragment]"), or nullopt when it has no
// "scheme://" with a scheme of letters, digits, '+', '-' and '.' starting with a letter.
std::optional<UrlParts> split_url(std::string_view url);

// The scheme lower-cased ("HTTPS://h" -> "https"), or "" when `url` has none.
std::string scheme_of(std::string_view url);

// Whether `url`'s scheme is https, whatever its case.
bool is_https(std::string_view url);

// scheme://host_port/path, without user-info, query or fragment: what may be shown of a URL
// when even a redacted query would say too much (a hint naming the path POSTed to).
std::string without_secrets(std::string_view url);

}  // namespace streamhost::url
