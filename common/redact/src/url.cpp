#include <cctype>
#include <streamhost/redact/url.hpp>

namespace streamhost::url {
namespace {

bool scheme_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

}  // namespace

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
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string_view::npos) end = url.size();
  const std::string_view authority = url.substr(start, end - start);
  // The last '@': a password holding '@' belongs to the user-info, not the host.
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    parts.has_user_info = true;
    parts.user_info = authority.substr(0, at);
    parts.host_port = authority.substr(at + 1);
  } else {
    parts.host_port = authority;
  }
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

std::string without_secrets(std::string_view url) {
  const auto parts = split_url(url);
  if (!parts) return "";
  return std::string(parts->scheme) + "://" + std::string(parts->host_port) +
         std::string(parts->path);
}

}  // namespace streamhost::url
