#include "dialect.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <stdexcept>
#include <streamhost/json/bounded_parse.hpp>

namespace streamhost::connector::detail {

std::string_view embedded_content_type(EmbeddedFormat format) {
  return format == EmbeddedFormat::kJson ? "application/vnd.kafka.json.v2+json"
                                         : "application/vnd.kafka.binary.v2+json";
}

std::string_view format_name(EmbeddedFormat format) {
  return format == EmbeddedFormat::kJson ? "json" : "binary";
}

std::string_view dialect_name(Dialect dialect) {
  return dialect == Dialect::kStrimzi ? "strimzi" : "confluent";
}

std::string create_consumer_body(Dialect dialect, const std::string& name,
                                 const ConsumerOptions& consumer) {
  rapidjson::Document extras;
  const std::string& extra_text =
      consumer.extra_properties_json.empty() ? std::string("{}") : consumer.extra_properties_json;
  if (extras.Parse(extra_text.c_str(), extra_text.size()).HasParseError() || !extras.IsObject()) {
    throw std::invalid_argument("consumer extra properties must be a JSON object");
  }
  auto given = [&](const char* key) { return extras.HasMember(key); };

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  if (!given("name")) w.Key("name"), w.String(name);
  if (!given("format")) w.Key("format"), w.String(std::string(format_name(consumer.format)));
  if (!given("auto.offset.reset")) w.Key("auto.offset.reset"), w.String(consumer.auto_offset_reset);
  if (dialect == Dialect::kStrimzi) {
    if (!given("enable.auto.commit")) w.Key("enable.auto.commit"), w.Bool(false);
  } else {
    if (!given("auto.commit.enable")) w.Key("auto.commit.enable"), w.String("false");
  }
  for (auto& member : extras.GetObject()) {
    w.Key(member.name.GetString(), member.name.GetStringLength());
    member.value.Accept(w);
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<int64_t> commit_offset_for(Dialect dialect, int64_t next_offset) {
  if (dialect == Dialect::kConfluent) {
    if (next_offset <= 0) return std::nullopt;  // nothing processed yet on this partition
    return next_offset - 1;
  }
  if (next_offset < 0) return std::nullopt;
  return next_offset;
}

namespace {

// The length of the UTF-8 sequence at the start of `s`, or 0 when it is not valid UTF-8.
size_t utf8_sequence(std::string_view s) {
  const auto c = static_cast<unsigned char>(s[0]);
  size_t n;
  uint32_t cp, min;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, cp = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, cp = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto d = static_cast<unsigned char>(s[k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// At most `max` bytes of a body that is not a JSON error, as text: a byte that is not UTF-8 becomes
// '?' and no character is cut in half, so the message stays valid wherever it goes (exceptions,
// logs, the /readyz JSON).
std::string readable_prefix(std::string_view text, size_t max) {
  std::string out;
  while (!text.empty()) {
    const size_t n = utf8_sequence(text);
    if (out.size() + std::max<size_t>(n, 1) > max) {
      out += "...";
      break;
    }
    if (n == 0) {
      out += '?';
      text.remove_prefix(1);
    } else {
      out.append(text.substr(0, n));
      text.remove_prefix(n);
    }
  }
  return out;
}

}  // namespace

ProxyError parse_proxy_error(std::string_view body) {
  ProxyError error;
  rapidjson::Document doc;
  auto text_of = [](const rapidjson::Value& v) {
    return std::string(v.GetString(), v.GetStringLength());
  };
  if (!json::parse_bounded(doc, body) && doc.IsObject()) {
    auto code = doc.FindMember("error_code");
    if (code != doc.MemberEnd() && code->value.IsInt64()) error.error_code = code->value.GetInt64();
    auto message = doc.FindMember("message");
    if (message != doc.MemberEnd() && message->value.IsString()) {
      error.message = text_of(message->value);
    }
    if (error.message.empty()) {
      auto alt = doc.FindMember("error");
      if (alt != doc.MemberEnd() && alt->value.IsString()) error.message = text_of(alt->value);
    }
    if (!error.message.empty() || error.error_code) return error;
  }
  constexpr size_t kMaxText = 300;
  std::string_view text = body;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  error.message = readable_prefix(text, kMaxText);
  return error;
}

bool is_instance_gone(Dialect dialect, int http_status, const ProxyError& error) {
  if (http_status != 404) return false;
  if (dialect == Dialect::kConfluent) return error.error_code == 40403;
  // Strimzi's only other 404 on an instance URL is a seek to a partition this consumer does not
  // own ("No current assignment for partition ..."), which must not recreate the instance.
  return error.error_code.value_or(404) == 404 &&
         error.message.find("assignment") == std::string::npos;
}

bool names_unknown_topic(const ProxyError& error) {
  std::string lower = error.message;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("unknown topic") != std::string::npos ||
         lower.find("topic-partition") != std::string::npos;
}

bool is_retriable_record_error(int64_t error_code) {
  if (error_code >= 500 && error_code <= 599) return true;
  if (error_code >= 50000 && error_code <= 59999) return true;
  return error_code == 429 || (error_code >= 42900 && error_code <= 42999);
}

}  // namespace streamhost::connector::detail
