#include "dialect.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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

ProxyError parse_proxy_error(std::string_view body) {
  ProxyError error;
  rapidjson::Document doc;
  if (!json::parse_bounded(doc, body) && doc.IsObject()) {
    auto code = doc.FindMember("error_code");
    if (code != doc.MemberEnd() && code->value.IsInt64()) error.error_code = code->value.GetInt64();
    auto message = doc.FindMember("message");
    if (message != doc.MemberEnd() && message->value.IsString()) {
      error.message = message->value.GetString();
    }
    if (error.message.empty()) {
      auto alt = doc.FindMember("error");
      if (alt != doc.MemberEnd() && alt->value.IsString()) error.message = alt->value.GetString();
    }
    if (!error.message.empty() || error.error_code) return error;
  }
  constexpr size_t kMaxText = 300;
  std::string_view text = body;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  error.message = std::string(text.substr(0, kMaxText));
  if (text.size() > kMaxText) error.message += "...";
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

bool is_retriable_record_error(int64_t error_code) {
  if (error_code >= 500 && error_code <= 599) return true;
  if (error_code >= 50000 && error_code <= 59999) return true;
  return error_code == 429 || (error_code >= 42900 && error_code <= 42999);
}

}  // namespace streamhost::connector::detail
