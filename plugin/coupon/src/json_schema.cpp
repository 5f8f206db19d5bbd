// GCC's late -Wnull-dereference analysis flags RapidJSON's validator teardown (schema.h) once it is
// inlined here; the pointer there is never null.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include <rapidjson/error/en.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>

#include <stdexcept>
#include <streamhost/coupon/json_schema.hpp>

namespace streamhost::coupon {
namespace {

rapidjson::Document parse_schema(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError())
    throw std::invalid_argument("schema is not JSON: " + parse_error_text(doc));
  return doc;
}

std::string pointer_text(const rapidjson::Pointer& pointer) {
  rapidjson::StringBuffer buffer;
  pointer.Stringify(buffer);
  return buffer.GetString();
}

std::string join_field(const std::string& parent, const std::string& child) {
  return parent == "(document)" ? child : parent + "." + child;
}

std::string describe_value(const rapidjson::Value& v) {
  if (v.IsString()) return "\"" + std::string(v.GetString(), v.GetStringLength()) + "\"";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsNumber()) return std::to_string(v.GetDouble());
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsNull()) return "null";
  return v.IsObject() ? "an object" : "an array";
}

std::string list_of(const rapidjson::Value& v) {
  if (v.IsString()) return v.GetString();
  std::string out;
  if (!v.IsArray()) return out;
  for (const auto& item : v.GetArray()) {
    if (!out.empty()) out += ", ";
    out += item.IsString() ? item.GetString() : describe_value(item);
  }
  return out;
}

}  // namespace

std::string parse_error_text(const rapidjson::Document& doc) {
  return std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " (offset " +
         std::to_string(doc.GetErrorOffset()) + ")";
}

std::string field_name_of_pointer(std::string_view json_pointer) {
  if (json_pointer.empty() || json_pointer == "/") return "(document)";
  std::string out;
  for (char c : json_pointer.substr(1)) out += (c == '/') ? '.' : c;
  return out;
}

JsonSchema::JsonSchema(std::string_view schema_text)
    : schema_json_(parse_schema(schema_text)), schema_(schema_json_) {}

std::optional<std::string> JsonSchema::check(const rapidjson::Value& value) const {
  auto found = violation(value);
  if (!found) return std::nullopt;
  return std::move(found->message);
}

std::optional<SchemaViolation> JsonSchema::violation(const rapidjson::Value& value) const {
  rapidjson::SchemaValidator validator(schema_);
  if (value.Accept(validator)) return std::nullopt;

  SchemaViolation out;
  out.keyword = validator.GetInvalidSchemaKeyword();
  const rapidjson::Pointer& where = validator.GetInvalidDocumentPointer();
  for (size_t i = 0; i < where.GetTokenCount(); ++i) {
    const auto& token = where.GetTokens()[i];
    out.location.emplace_back(token.name, token.length);
  }
  const std::string& keyword = out.keyword;
  const std::string field = field_name_of_pointer(pointer_text(where));
  const rapidjson::Value* rule = validator.GetInvalidSchemaPointer().Get(schema_json_);
  const rapidjson::Value* instance = where.Get(value);
  auto say = [&out](std::string message) {
    out.message = std::move(message);
    return std::optional<SchemaViolation>(std::move(out));
  };

  if (keyword == "required" && rule && instance && instance->IsObject() &&
      rule->HasMember("required")) {
    for (const auto& name : (*rule)["required"].GetArray()) {
      if (!instance->HasMember(name)) {
        out.location.emplace_back(name.GetString(), name.GetStringLength());
        return say("missing field " + join_field(field, name.GetString()));
      }
    }
  }
  // RapidJSON points either at the object or at the unexpected member itself.
  if (keyword == "additionalProperties" && !(instance && instance->IsObject())) {
    return say("unexpected field " + field);
  }
  if (keyword == "additionalProperties" && rule && instance && instance->IsObject()) {
    for (const auto& member : instance->GetObject()) {
      const bool known =
          rule->HasMember("properties") && (*rule)["properties"].HasMember(member.name);
      if (!known) {
        out.location.emplace_back(member.name.GetString(), member.name.GetStringLength());
        return say("unexpected field " + join_field(field, member.name.GetString()));
      }
    }
  }
  if (keyword == "type" && rule && rule->HasMember("type")) {
    const std::string got = instance ? describe_value(*instance) : "nothing";
    return say(field + ": expected " + list_of((*rule)["type"]) + ", got " + got);
  }
  if (keyword == "enum" && rule && rule->HasMember("enum")) {
    return say(field + ": " + (instance ? describe_value(*instance) : "value") + " is not one of " +
               list_of((*rule)["enum"]));
  }
  if ((keyword == "minimum" || keyword == "maximum") && rule && rule->HasMember(keyword)) {
    return say(field + ": " + (instance ? describe_value(*instance) : "value") + " is " +
               (keyword == "minimum" ? "below the minimum " : "above the maximum ") +
               describe_value((*rule)[keyword]));
  }
  return say(field + ": violates the schema's \"" + keyword + "\" rule");
}

}  // namespace streamhost::coupon
