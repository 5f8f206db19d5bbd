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
  std::string_view user_info;  // before user_info_end's '@', empty when none
  bool has_user_info = false;  // an '@' in the authority, even with nothing before it
  std::string_view host_port;  // the authority after any user-info
  std::string_view path;       // from the first '/' after the authority; may be empty
  std::string_view query;      // after '?', without it; empty when none
  std::string_view fragment;   // after '#', without it
};

// Where the user-info of a URL ends: the index in `text` of its '@', or npos when it has none;
// `authority` is the index just after "://". The rule leaks no password, whatever raw character
// it holds, and never takes a path's '@' for a password:
//   - the last '@' before the next white space ends the user-info when it comes before the first
//     '/', '?' or '#' ("u:p@w@host"), or when what precedes that '/', '?' or '#' cannot be a
//     host because its port is not digits ("svc:pa#ss@proxy", "svc:p/w@proxy");
//   - otherwise an '@' after the first '/', '?' or '#' is the path's or the query's
//     ("http://host:8080/users/a@b.example", "http://h/?to=a@b");
//   - a password with a raw space ("svc:pa ss@proxy"): when the word after "://" has no '@',
//     no '/', '?' or '#', and cannot be a host, the first '@' within 256 characters on the same
//     line (the last '@' of its word) ends the user-info.
// What it cannot tell apart: a password of digits only followed by a raw '/', '?' or '#'
// ("svc:12/34@h" reads as host svc, port 12); such a password must be percent-encoded.
size_t user_info_end(std::string_view text, size_t authority);

// The white-space-free word of `text` that user_info_end last scanned and the last '@' in it,
// so a caller finding many URLs in one long word (a log line of JSON) scans it once: pass the
// same WordScan, for the same text, with ascending `authority`, and the whole is linear.
struct WordScan {
  size_t start = 0;  // an authority inside [start, end) reuses the scan
  size_t end = 0;
  size_t last_at = std::string_view::npos;  // in `text`, npos when the word has none
};
size_t user_info_end(std::string_view text, size_t authority, WordScan& scan);

// The parts of `url` ("scheme://authority[/path][?query][#fragment]"), or nullopt when it has no
// "scheme://" with a scheme of letters, digits, '+', '-' and '.' starting with a letter.
std::optional<UrlParts> split_url(std::string_view url);

// The scheme lower-cased ("HTTPS://h" -> "https"), or "" when `url` has none.
std::string scheme_of(std::string_view url);

// Whether `url`'s scheme is https, whatever its case.
bool is_https(std::string_view url);

// The host of an authority without user-info: "h:80" -> "h", "[::1]:80" -> "::1", "[::1]" -> "::1".
std::string_view host_without_port(std::string_view host_port);

// Whether `host` (as host_without_port gives it, brackets allowed) names this machine: "localhost"
// (any case), "::1", or a dotted quad 127.a.b.c of decimal octets up to 255. Parsed, not
// prefix-tested: "127.evil.example" and "127.0.0.1.nip.io" are not loopback.
bool is_loopback_host(std::string_view host);

// scheme://host_port/path, without user-info, query or fragment: what may be shown of a URL
// when even a redacted query would say too much (a hint naming the path POSTed to).
std::string without_secrets(std::string_view url);

}  // namespace streamhost::url
