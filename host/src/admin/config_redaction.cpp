#include "admin/config_redaction.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

namespace streamhost::host::admin {
namespace {

using rapidjson::Value;

constexpr std::array<std::string_view, 12> kSecretWords = {
    "password", "passwd",      "secret",        "token", "credential",   "api_key",
    "apikey",   "private_key", "authorization", "jaas",  "keystore.key", "key.pem"};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// scheme://user:password@host -> scheme://user:[redacted]@host (a user alone is not a secret).
// The password runs to the authority's last '@', so one containing '@' is redacted whole. Scanned
// by hand: std::regex recurses once per character, and a manifest value may be a megabyte long.
std::string redact_url_credentials(const std::string& text) {
  std::string out;
  size_t copied = 0;
  size_t search = 0;
  for (size_t scheme_end; (scheme_end = text.find("://", search)) != std::string::npos;) {
    const size_t start = scheme_end + 3;
    size_t end = text.find_first_of("/?# \t\r\n", start);
    if (end == std::string::npos) end = text.size();
    search = end;
    const std::string_view authority(text.data() + start, end - start);
    const size_t at = authority.rfind('@');
    const size_t colon = authority.find(':');
    if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) continue;
    out.append(text, copied, start + colon + 1 - copied);
    out += kRedacted;
    copied = start + at;
  }
  if (copied == 0) return text;
  out.append(text, copied, std::string::npos);
  return out;
}

void redact(Value& value, rapidjson::Document::AllocatorType& allocator) {
  if (value.IsObject()) {
    for (auto& member : value.GetObject()) {
      const std::string_view key(member.name.GetString(), member.name.GetStringLength());
      if (is_secret_key(key)) {
        member.value.SetString(kRedacted.data(), static_cast<rapidjson::SizeType>(kRedacted.size()),
                               allocator);
      } else {
        redact(member.value, allocator);
      }
    }
  } else if (value.IsArray()) {
    for (auto& item : value.GetArray()) redact(item, allocator);
  } else if (value.IsString()) {
    const std::string text(value.GetString(), value.GetStringLength());
    const std::string cleaned = redact_url_credentials(text);
    if (cleaned != text) {
      value.SetString(cleaned.c_str(), static_cast<rapidjson::SizeType>(cleaned.size()), allocator);
    }
  }
}

}  // namespace

bool is_secret_key(std::string_view key) {
  const std::string k = lower(key);
  if (k.ends_with("_file") || k.ends_with("_env")) return false;
  return std::any_of(kSecretWords.begin(), kSecretWords.end(),
                     [&](std::string_view word) { return k.find(word) != std::string::npos; });
}

std::string redact_config(const std::string& json_text) {
  rapidjson::Document doc;
  doc.Parse(json_text.c_str(), json_text.size());
  if (doc.HasParseError()) throw std::invalid_argument("the effective manifest is not JSON");
  redact(doc, doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return buffer.GetString();
}

}  // namespace streamhost::host::admin
