#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <streamhost/redact/redact.hpp>
#include <streamhost/redact/url.hpp>

namespace streamhost::redact {
namespace {

constexpr std::array<std::string_view, 17> kSecretWords = {
    "password",     "passwd",      "secret",     "token",         "credential", "api_key",
    "apikey",       "private_key", "privatekey", "authorization", "cookie",     "jaas",
    "keystore_key", "key_pem",     "user_info",  "userinfo",      "access_key"};

// Query parameters that carry a credential under a name too short to be a secret key elsewhere
// (a record's "key" in a log line is not a secret; a URL's ?key= is).
constexpr std::array<std::string_view, 5> kSecretParameters = {"key", "sig", "signature", "auth",
                                                               "code"};

std::string normalised(std::string_view key) {
  std::string out(key);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == '-' || c == '.' || c == ' ') c = '_';
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// `name` with its %XX escapes decoded ("pass%77ord" is "password"); a bad escape stays as written.
std::string percent_decoded(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '%' && i + 2 < name.size()) {
      const int high = hex_value(name[i + 1]);
      const int low = hex_value(name[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += name[i];
  }
  return out;
}

bool is_secret_parameter(std::string_view raw_name) {
  const std::string name = percent_decoded(raw_name);
  if (is_secret_key(name)) return true;
  const std::string n = normalised(name);
  return std::find(kSecretParameters.begin(), kSecretParameters.end(), n) !=
         kSecretParameters.end();
}

bool key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == '%';
}

bool blank(char c) {
  return c == ' ' || c == '\t';
}

bool url_char(char c) {
  // What may appear in a URL as text writes one; white space, quotes and brackets end it.
  return static_cast<unsigned char>(c) > 0x20 && c != '"' && c != '\'' && c != '<' && c != '>' &&
         c != '`' && c != '\\';
}

// One URL (already cut out of the text): user-info and secret query parameters replaced.
std::string redact_one_url(std::string_view url) {
  const auto parts = url::split_url(url);
  if (!parts) return std::string(url);
  std::string out(parts->scheme);
  out += "://";
  if (parts->has_user_info) {
    const size_t colon = parts->user_info.find(':');
    if (colon == std::string_view::npos) {
      out += kRedacted;  // a user alone may be a token
    } else {
      out += parts->user_info.substr(0, colon + 1);
      out += kRedacted;
    }
    out += '@';
  }
  out += parts->host_port;
  out += parts->path;
  // '?' and '#' count only after the user-info, which may hold them.
  const std::string_view after_user_info =
      url.substr(static_cast<size_t>(parts->host_port.data() - url.data()));
  if (!parts->query.empty() || after_user_info.find('?') != std::string_view::npos) {
    out += '?';
    std::string_view query = parts->query;
    bool first = true;
    while (true) {
      const size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      if (!first) out += '&';
      first = false;
      const size_t eq = pair.find('=');
      if (eq != std::string_view::npos && is_secret_parameter(pair.substr(0, eq))) {
        out += pair.substr(0, eq + 1);
        out += kRedacted;
      } else {
        out += pair;
      }
      if (amp == std::string_view::npos) break;
      query = query.substr(amp + 1);
    }
  }
  if (after_user_info.find('#') != std::string_view::npos) {
    out += '#';
    out += parts->fragment;
  }
  return out;
}

// Every "scheme://..." in the text through redact_one_url.
std::string redact_urls(std::string_view text) {
  std::string out;
  size_t copied = 0;
  url::WordScan word;
  for (size_t sep = text.find("://"); sep != std::string_view::npos;
       sep = text.find("://", sep + 3)) {
    size_t start = sep;
    while (start > copied &&
           (std::isalnum(static_cast<unsigned char>(text[start - 1])) || text[start - 1] == '+' ||
            text[start - 1] == '-' || text[start - 1] == '.')) {
      --start;
    }
    if (start == sep) continue;
    // The user-info may hold any character but a line break (url.hpp, user_info_end); what
    // follows it ends at the first character a URL cannot hold.
    const size_t at = url::user_info_end(text, sep + 3, word);
    size_t end = at == std::string_view::npos ? sep + 3 : at + 1;
    while (end < text.size() && url_char(text[end])) ++end;
    out.append(text.substr(copied, start - copied));
    out += redact_one_url(text.substr(start, end - start));
    copied = end;
    sep = end - 3;
  }
  out.append(text.substr(copied));
  return out;
}

// The end of a value starting at `i`: a quoted one ('...' with backslash escapes as libpq writes
// them, or "...") through its closing quote, another up to the next white space.
size_t value_end(std::string_view text, size_t i) {
  if (i < text.size() && (text[i] == '\'' || text[i] == '"')) {
    const char quote = text[i];
    for (size_t j = i + 1; j < text.size(); ++j) {
      if (text[j] == '\\') {
        ++j;
      } else if (text[j] == quote) {
        return j + 1;
      }
    }
    return text.size();
  }
  size_t j = i;
  while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
  return j;
}

// Every `<secret key>=value` (libpq keyword DSNs, properties, query strings in prose). Spaces
// and tabs may stand around '=', as libpq allows ("password = s3cret"); the key may be
// percent-encoded ("pass%77ord=").
std::string redact_assignments(std::string_view text) {
  std::string out;
  size_t copied = 0;
  for (size_t eq = text.find('='); eq != std::string_view::npos; eq = text.find('=', eq + 1)) {
    size_t key_end = eq;
    while (key_end > copied && blank(text[key_end - 1])) --key_end;
    size_t key_start = key_end;
    while (key_start > 0 && key_char(text[key_start - 1])) --key_start;
    if (key_start == key_end || key_start < copied) continue;
    if (!is_secret_key(percent_decoded(text.substr(key_start, key_end - key_start)))) continue;
    size_t start = eq + 1;
    while (start < text.size() && blank(text[start])) ++start;
    if (text.substr(start).starts_with(kRedacted)) continue;
    const size_t end = value_end(text, start);
    if (end == start) continue;
    out.append(text.substr(copied, start - copied));
    out += kRedacted;
    copied = end;
    eq = end - 1;
  }
  out.append(text.substr(copied));
  return out;
}

// The end of a header or JSON value starting at `i`: a quoted one through its closing quote,
// another up to white space or what ends a JSON value or a list item (',', ';', '}', ']').
size_t field_value_end(std::string_view text, size_t i) {
  if (i < text.size() && (text[i] == '\'' || text[i] == '"')) return value_end(text, i);
  size_t j = i;
  while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j])) &&
         std::string_view(",;}]").find(text[j]) == std::string_view::npos) {
    ++j;
  }
  return j;
}

bool field_start(char before) {
  return std::isspace(static_cast<unsigned char>(before)) ||
         std::string_view("{[(,;").find(before) != std::string_view::npos;
}

// Every `<secret key>: value` (a header in a log line: "X-Api-Key: abc") and
// `"<secret key>": value` (JSON inside a message: "password":"x"). A quoted value keeps its
// quotes around [redacted]; an Authorization value keeps its scheme word ("Token [redacted]").
std::string redact_fields(std::string_view text) {
  std::string out;
  size_t copied = 0;
  for (size_t colon = text.find(':'); colon != std::string_view::npos;
       colon = text.find(':', colon + 1)) {
    size_t key_end = colon;
    while (key_end > copied && blank(text[key_end - 1])) --key_end;
    const bool quoted_key = key_end > copied && text[key_end - 1] == '"';
    if (quoted_key) --key_end;
    size_t key_start = key_end;
    while (key_start > 0 &&
           (key_char(text[key_start - 1]) || (quoted_key && blank(text[key_start - 1])))) {
      --key_start;
    }
    if (key_start == key_end || key_start < copied) continue;
    // A field name starts a word: "/etc/streamhost/token: cannot be read" names a file.
    if (!quoted_key && key_start > 0 && !field_start(text[key_start - 1])) continue;
    if (quoted_key && (key_start == 0 || text[key_start - 1] != '"')) continue;
    const std::string key = percent_decoded(text.substr(key_start, key_end - key_start));
    if (!is_secret_key(key)) continue;
    size_t start = colon + 1;
    while (start < text.size() && blank(text[start])) ++start;
    const bool quoted = start < text.size() && (text[start] == '"' || text[start] == '\'');
    const size_t inside = quoted ? start + 1 : start;
    if (text.substr(inside).starts_with(kRedacted)) continue;
    if (!quoted && normalised(key).find("authorization") != std::string::npos) {
      // "Authorization: Token abc": the scheme is a word of letters followed by the credentials.
      size_t word = start;
      while (word < text.size() && std::isalpha(static_cast<unsigned char>(text[word]))) ++word;
      if (word > start && word < text.size() && blank(text[word])) {
        size_t credentials = word;
        while (credentials < text.size() && blank(text[credentials])) ++credentials;
        if (credentials < text.size() &&
            !std::isspace(static_cast<unsigned char>(text[credentials]))) {
          start = credentials;
        }
      }
      if (text.substr(start).starts_with(kRedacted)) continue;
    }
    const size_t end = field_value_end(text, start);
    if (end == start) continue;
    out.append(text.substr(copied, start - copied));
    if (quoted) out += text[start];
    out += kRedacted;
    if (quoted && end - start >= 2 && text[end - 1] == text[start]) out += text[start];
    copied = end;
    colon = end - 1;
  }
  out.append(text.substr(copied));
  return out;
}

bool token68_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '/' || c == '=';
}

// The credentials of an Authorization header value: "Bearer <token>", "Basic <base64>".
std::string redact_auth_schemes(std::string_view text) {
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    // Both schemes start with 'b': the common case is one comparison per character.
    if (std::tolower(static_cast<unsigned char>(text[i])) != 'b') continue;
    if (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]))) continue;
    size_t skip = 0;
    for (std::string_view scheme : {std::string_view("bearer "), std::string_view("basic ")}) {
      if (text.size() - i < scheme.size()) continue;
      bool same = true;
      for (size_t k = 0; k < scheme.size() && same; ++k) {
        same = std::tolower(static_cast<unsigned char>(text[i + k])) == scheme[k];
      }
      if (same) skip = scheme.size();
    }
    if (skip == 0) continue;
    size_t end = i + skip;
    while (end < text.size() && token68_char(text[end])) ++end;
    // Prose ("basic auth") is not a credential: a token is long and has no space.
    if (end - (i + skip) < 8) continue;
    out.append(text.substr(copied, i + skip - copied));
    out += kRedacted;
    copied = end;
    i = end - 1;
  }
  out.append(text.substr(copied));
  return out;
}

using rapidjson::Value;

void set_string(Value& v, std::string_view text, rapidjson::Document::AllocatorType& allocator) {
  v.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), allocator);
}

bool names_a_secret(const Value& object) {
  for (const char* name : {"name", "key"}) {
    auto it = object.FindMember(name);
    if (it != object.MemberEnd() && it->value.IsString() &&
        is_secret_key(std::string_view(it->value.GetString(), it->value.GetStringLength()))) {
      return true;
    }
  }
  return false;
}

void redact_value(Value& value, rapidjson::Document::AllocatorType& allocator) {
  if (value.IsObject()) {
    const bool pair = names_a_secret(value);
    for (auto& member : value.GetObject()) {
      const std::string_view key(member.name.GetString(), member.name.GetStringLength());
      if (is_secret_key(key) || (pair && key == "value")) {
        set_string(member.value, kRedacted, allocator);
      } else {
        redact_value(member.value, allocator);
      }
    }
  } else if (value.IsArray()) {
    for (auto& item : value.GetArray()) redact_value(item, allocator);
  } else if (value.IsString()) {
    const std::string_view text(value.GetString(), value.GetStringLength());
    const std::string cleaned = redact_text(text);
    if (cleaned != text) set_string(value, cleaned, allocator);
  }
}

}  // namespace

bool is_secret_key(std::string_view key) {
  const std::string k = normalised(key);
  if (k.ends_with("_file") || k.ends_with("_env")) return false;
  return std::any_of(kSecretWords.begin(), kSecretWords.end(),
                     [&](std::string_view word) { return k.find(word) != std::string::npos; });
}

std::string redact_url(std::string_view url) {
  return redact_text(url);
}

std::string redact_text(std::string_view text) {
  return redact_auth_schemes(redact_fields(redact_assignments(redact_urls(text))));
}

std::string redact_json(std::string_view json_text) {
  rapidjson::Document doc;
  doc.Parse(json_text.data(), json_text.size());
  if (doc.HasParseError()) throw std::invalid_argument("not JSON");
  redact_value(doc, doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace streamhost::redact
