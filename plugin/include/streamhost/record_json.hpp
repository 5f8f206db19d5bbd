// A read-only JSON view of a record's value, with the host's own bounded parser
// (streamhost/json/bounded_parse.hpp: iterative, depth-limited, UTF-8 checked, numbers correctly
// rounded and integers exact) and typed getters whose errors name the field's path:
//
//   const sp::Json event = sp::Json::parse(in.value());            // "payload" is the root
//   int64_t customer = event["customer_id"].as_int();
//   double lat = event["position"]["lat"].as_double();
//   std::optional<std::string_view> note = event.find("note") ? ... : std::nullopt;
//
// Every error is an sp::JsonError, which is an sp::Reject: left uncaught, the record is
// dead-lettered with a reason such as `payload.customer_id: expected an integer, got "x"`. Catch
// it to handle a record another way.
//
// Header-only, compiled into the plugin over RapidJSON (link streamhost::plugin_json); nothing of
// it crosses the ABI. A Json value points into its document and is valid as long as the document
// returned by parse() lives; it is cheap to copy.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <cstdint>
#include <memory>
#include <optional>
#include <streamhost/json/bounded_parse.hpp>
#include <streamhost/plugin.hpp>
#include <string>
#include <string_view>

namespace streamhost::plugin {

// A record's JSON that cannot be read as the handler asked: a Reject with the field's path.
struct JsonError : Reject {
  using Reject::Reject;
};

struct JsonLimits {
  size_t max_bytes = size_t{1} << 20;  // Kafka's default message size
  unsigned max_depth = 64;             // levels of objects and arrays
};

class Json {
 public:
  // Parses `text` as JSON within `limits`; `root` names the document in messages. Throws JsonError
  // ("payload: not JSON: Invalid value. (byte 3)").
  static Json parse(std::string_view text, JsonLimits limits = {}, std::string root = "payload") {
    if (text.size() > limits.max_bytes) {
      throw JsonError(root + ": " + std::to_string(text.size()) + " bytes, above the limit of " +
                      std::to_string(limits.max_bytes));
    }
    auto doc = std::make_shared<rapidjson::Document>();
    if (const json::ParseError e = json::parse_bounded(*doc, text, limits.max_depth)) {
      throw JsonError(root + ": not JSON: " + e.message + " (byte " + std::to_string(e.offset) +
                      ")");
    }
    const rapidjson::Value* value = doc.get();
    return Json(std::move(doc), value, std::move(root));
  }

  // The path of this value: "payload.items[2].sku".
  const std::string& path() const { return path_; }

  bool is_null() const { return value_->IsNull(); }
  bool is_object() const { return value_->IsObject(); }
  bool is_array() const { return value_->IsArray(); }
  bool is_string() const { return value_->IsString(); }
  bool is_number() const { return value_->IsNumber(); }
  bool is_integer() const { return value_->IsInt64() || value_->IsUint64(); }
  bool is_bool() const { return value_->IsBool(); }

  // This value, checked to be an object or an array; throws JsonError otherwise.
  const Json& as_object() const {
    require_object();
    return *this;
  }
  const Json& as_array() const {
    if (!value_->IsArray()) wrong("an array");
    return *this;
  }

  // A member; throws JsonError when this is not an object or the member is absent (or null).
  Json operator[](std::string_view key) const {
    if (auto member = find(key)) return *member;
    throw JsonError(path_ + ": missing field \"" + std::string(key) + "\"");
  }
  // A member, or nullopt when absent (or null). Throws JsonError when this is not an object.
  std::optional<Json> find(std::string_view key) const {
    require_object();
    auto it = value_->FindMember(rapidjson::Value(
        rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
    if (it == value_->MemberEnd() || it->value.IsNull()) return std::nullopt;
    return Json(doc_, &it->value, path_ + "." + std::string(key));
  }
  // Item i of an array; throws JsonError when this is not an array or i is past its end.
  Json at(size_t i) const {
    if (!value_->IsArray()) wrong("an array");
    if (i >= value_->Size()) {
      throw JsonError(path_ + ": has " + std::to_string(value_->Size()) + " items, no [" +
                      std::to_string(i) + "]");
    }
    return Json(doc_, &(*value_)[static_cast<rapidjson::SizeType>(i)],
                path_ + "[" + std::to_string(i) + "]");
  }
  // Items of an array or members of an object.
  size_t size() const {
    if (value_->IsArray()) return value_->Size();
    if (value_->IsObject()) return value_->MemberCount();
    wrong("an array or an object");
  }
  // Calls f(key, value) for each member of an object, in document order.
  template <typename F>
  void for_each_member(F&& f) const {
    require_object();
    for (const auto& m : value_->GetObject()) {
      const std::string_view key(m.name.GetString(), m.name.GetStringLength());
      f(key, Json(doc_, &m.value, path_ + "." + std::string(key)));
    }
  }

  // Exact integers: a number with a fraction or an exponent, or one beyond int64, is an error.
  int64_t as_int() const {
    if (!value_->IsInt64()) wrong(value_->IsUint64() ? "an integer below 2^63" : "an integer");
    return value_->GetInt64();
  }
  uint64_t as_uint() const {
    if (!value_->IsUint64()) wrong("a non-negative integer");
    return value_->GetUint64();
  }
  double as_double() const {
    if (!value_->IsNumber()) wrong("a number");
    return value_->GetDouble();
  }
  bool as_bool() const {
    if (!value_->IsBool()) wrong("true or false");
    return value_->GetBool();
  }
  // The string's UTF-8 bytes (checked by the parser); valid while the document lives.
  std::string_view as_string() const {
    if (!value_->IsString()) wrong("a string");
    return {value_->GetString(), value_->GetStringLength()};
  }

  // This value as compact JSON text.
  std::string text() const {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value_->Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
  }

  // The underlying RapidJSON value, for what the view does not offer; valid while the document
  // lives.
  const rapidjson::Value& raw() const { return *value_; }

 private:
  Json(std::shared_ptr<const rapidjson::Document> doc, const rapidjson::Value* value,
       std::string path)
      : doc_(std::move(doc)), value_(value), path_(std::move(path)) {}

  void require_object() const {
    if (!value_->IsObject()) wrong("an object");
  }

  [[noreturn]] void wrong(const char* expected) const {
    throw JsonError(path_ + ": expected " + expected + ", got " + describe());
  }

  // The value in a message: short JSON text for scalars, a word for containers.
  std::string describe() const {
    if (value_->IsObject()) return "an object";
    if (value_->IsArray()) return "an array";
    if (value_->IsNull()) return "null";
    std::string out = text();
    constexpr size_t kShown = 40;
    if (out.size() > kShown) {
      size_t cut = kShown;  // not inside a UTF-8 sequence: reasons stay UTF-8
      while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
      out = out.substr(0, cut) + "...";
    }
    return out;
  }

  std::shared_ptr<const rapidjson::Document> doc_;
  const rapidjson::Value* value_;
  std::string path_;
};

}  // namespace streamhost::plugin
