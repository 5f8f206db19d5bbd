#include <algorithm>
#include <cctype>
#include <streamhost/redact/url.hpp>

namespace streamhost::url {
namespace {

bool scheme_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

bool space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// Whether `host_port` (an authority without user-info) cannot be a host: its port holds
// something other than digits ("svc:pa" is a user and the start of a password, not a host).
bool cannot_be_host(std::string_view host_port) {
  size_t colon = host_port.find(':');
  if (!host_port.empty() && host_port[0] == '[') {  // an IPv6 literal: the port follows ']'
    const size_t close = host_port.find(']');
    if (close == std::string_view::npos) return false;
    colon = host_port.find(':', close);
  }
  if (colon == std::string_view::npos) return false;
  for (size_t i = colon + 1; i < host_port.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(host_port[i]))) return true;
  }
  return false;
}

// How far past the first white space a password with a raw space is looked for: a password is
// short, and the bound keeps a line of many "scheme://h:x" linear.
constexpr size_t kSpacedUserInfoLimit = 256;

}  // namespace

size_t user_info_end(std::string_view text, size_t authority, WordScan& scan) {
  if (authority >= scan.end || authority < scan.start) {
    scan.start = authority;
    scan.end = authority;
    while (scan.end < text.size() && !space(text[scan.end])) ++scan.end;
    scan.last_at = text.substr(0, scan.end).rfind('@');
  }
  const size_t word_end = scan.end;
  const std::string_view word = text.substr(authority, word_end - authority);
  const size_t delimiter = std::min(word.find_first_of("/?#"), word.size());
  const size_t last_at = scan.last_at == std::string_view::npos || scan.last_at < authority
                             ? std::string_view::npos
                             : scan.last_at - authority;
  const size_t at_before_path = word.substr(0, delimiter).rfind('@');
  // What would be the host if the '@' after the '/', '?' or '#' were the path's.
  const std::string_view host_if_path =
      word.substr(0, delimiter)
          .substr(at_before_path == std::string_view::npos ? 0 : at_before_path + 1);
  if (last_at != std::string_view::npos && (last_at < delimiter || cannot_be_host(host_if_path))) {
    return authority + last_at;
  }
  if (at_before_path != std::string_view::npos) return authority + at_before_path;
  // No '@' in the word: a password with a raw space, when what precedes the space cannot be a
  // host, and an '@' follows on the same line.
  if (delimiter != word.size() || word_end == text.size() || !cannot_be_host(word)) {
    return std::string_view::npos;
  }
  const size_t limit = std::min(text.size(), word_end + kSpacedUserInfoLimit);
  for (size_t i = word_end; i < limit && text[i] != '\n' && text[i] != '\r'; ++i) {
    if (text[i] != '@') continue;
    // The last '@' of the word holding the first one, as above.
    size_t end = i;
    while (end < text.size() && !space(text[end])) ++end;
    return text.substr(0, end).rfind('@');
  }
  return std::string_view::npos;
}

size_t user_info_end(std::string_view text, size_t authority) {
  WordScan scan;
  return user_info_end(text, authority, scan);
}

std::optional<UrlParts> split_url(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  if (!std::isalpha(static_cast<unsigned char>(url[0]))) return std::nullopt;
  for (size_t i = 0; i < sep; ++i) {
    if (!scheme_char(url[i])) return std::nullopt;
  }
  UrlParts parts;
  parts.scheme = url.substr(0, sep);
  const size_t start = sep + 3;
  const size_t at = user_info_end(url, start);
  const size_t host_start = at == std::string_view::npos ? start : at + 1;
  if (at != std::string_view::npos) {
    parts.has_user_info = true;
    parts.user_info = url.substr(start, at - start);
  }
  size_t end = url.find_first_of("/?#", host_start);
  if (end == std::string_view::npos) end = url.size();
  parts.host_port = url.substr(host_start, end - host_start);
  std::string_view rest = url.substr(end);
  const size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    parts.fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  const size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    parts.query = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }
  parts.path = rest;
  return parts;
}

std::string scheme_of(std::string_view url) {
  const auto parts = split_url(url);
  if (!parts) return "";
  std::string scheme(parts->scheme);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme;
}

bool is_https(std::string_view url) {
  return scheme_of(url) == "https";
}

std::string_view host_without_port(std::string_view host_port) {
  if (host_port.starts_with('[')) {
    const size_t close = host_port.find(']');
    return close == std::string_view::npos ? host_port : host_port.substr(1, close - 1);
  }
  return host_port.substr(0, host_port.find(':'));
}

bool is_loopback_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string lower(host);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "localhost" || lower == "::1") return true;
  // 127.0.0.0/8 as four decimal octets, each 0-255.
  int octets = 0;
  size_t i = 0;
  while (i <= host.size()) {
    size_t digits = 0;
    int value = 0;
    while (i < host.size() && std::isdigit(static_cast<unsigned char>(host[i])) && digits < 4) {
      value = value * 10 + (host[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0 || digits > 3 || value > 255) return false;
    if (octets == 0 && value != 127) return false;
    ++octets;
    if (i == host.size()) break;
    if (host[i] != '.' || octets == 4) return false;
    ++i;
  }
  return octets == 4;
}

std::string without_secrets(std::string_view url) {
  const auto parts = split_url(url);
  if (!parts) return "";
  return std::string(parts->scheme) + "://" + std::string(parts->host_port) +
         std::string(parts->path);
}

}  // namespace streamhost::url
