#include "config_check/schema_conform.hpp"

#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <streamhost/redact/redact.hpp>

#include "config_check/number_shape.hpp"

namespace streamhost::host {
namespace {

using rapidjson::Value;

std::string to_json_text(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

bool has_type(const Value& value, const std::string& type) {
  if (type == "string") return value.IsString();
  if (type == "integer") return value.IsInt64() || value.IsUint64();
  if (type == "number") return value.IsNumber();
  if (type == "boolean") return value.IsBool();
  if (type == "object") return value.IsObject();
  if (type == "array") return value.IsArray();
  if (type == "null") return value.IsNull();
  return false;
}

std::vector<std::string> schema_types(const Value& schema) {
  std::vector<std::string> types;
  if (!schema.IsObject() || !schema.HasMember("type")) return types;
  const Value& t = schema["type"];
  if (t.IsString()) types.emplace_back(t.GetString());
  if (t.IsArray()) {
    for (const Value& item : t.GetArray()) {
      if (item.IsString()) types.emplace_back(item.GetString());
    }
  }
  return types;
}

std::string type_phrase(const std::string& type) {
  if (type == "object") return "a mapping";
  if (type == "array") return "a list";
  if (type == "integer") return "an integer";
  if (type == "null") return "nothing";
  return "a " + type;
}

// Tries to turn `value` into `type`; true when it now has that type.
bool convert_to(Value& value, const std::string& type, const std::string& plain_text,
                rapidjson::Document::AllocatorType& alloc) {
  if (type == "string" && (value.IsNumber() || value.IsBool())) {
    value.SetString(plain_text.empty() ? to_json_text(value) : plain_text, alloc);
    return true;
  }
  if (!value.IsString()) return false;
  std::string text = value.GetString();
  if (type == "integer" && number_shape(text) == NumberShape::kInteger) {
    errno = 0;
    long long n = std::strtoll(text.c_str(), nullptr, 10);
    if (errno != 0) return false;
    value.SetInt64(n);
    return true;
  }
  if (type == "number" && number_shape(text) != NumberShape::kNone) {
    double d = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(d)) return false;
    value.SetDouble(d);
    return true;
  }
  if (type == "boolean" && (text == "true" || text == "false")) {
    value.SetBool(text == "true");
    return true;
  }
  return false;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = row[j];
      row[j] = next;
    }
  }
  return row[b.size()];
}

class Conformer {
 public:
  Conformer(rapidjson::Document::AllocatorType& alloc, const SourceMap* source,
            std::vector<Diagnostic>& errors)
      : alloc_(alloc), source_(source), errors_(errors) {}

  void walk(Value& value, const Value& schema, const std::string& pointer,
            const std::string& path) {
    if (!schema.IsObject()) return;
    if (!check_type(value, schema, pointer, path)) return;
    if (schema.HasMember("enum") && schema["enum"].IsArray())
      check_enum(value, schema, pointer, path);
    if (value.IsNumber()) check_range(value, schema, pointer, path);
    if (value.IsObject()) walk_object(value, schema, pointer, path);
    if (value.IsArray() && schema.HasMember("items")) {
      for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
        walk(value[i], schema["items"], pointer_child(pointer, std::to_string(i)),
             path_item(path, i));
      }
    }
  }

 private:
  bool check_type(Value& value, const Value& schema, const std::string& pointer,
                  const std::string& path) {
    std::vector<std::string> types = schema_types(schema);
    if (types.empty()) return true;
    for (const std::string& t : types) {
      if (has_type(value, t)) return true;
    }
    std::string plain;
    if (source_ != nullptr) {
      auto it = source_->plain_texts.find(pointer);
      if (it != source_->plain_texts.end()) plain = it->second;
    }
    for (const std::string& t : types) {
      if (convert_to(value, t, plain, alloc_)) return true;
    }
    std::string expected;
    for (size_t i = 0; i < types.size(); ++i) {
      expected += (i == 0 ? "" : i + 1 == types.size() ? " or " : ", ") + type_phrase(types[i]);
    }
    error(pointer, path, "expected " + expected + ", got " + describe_at(value, pointer));
    return false;
  }

  void check_enum(const Value& value, const Value& schema, const std::string& pointer,
                  const std::string& path) {
    std::string allowed;
    for (const Value& option : schema["enum"].GetArray()) {
      if (option == value) return;
      allowed += (allowed.empty() ? "" : ", ") + to_json_text(option);
    }
    error(pointer, path, describe_at(value, pointer) + " is not one of " + allowed);
  }

  // Bounds are checked here too, not only by the validator (which stops at the first failure), so
  // every value out of range in a list of objects is reported at once.
  void check_range(const Value& value, const Value& schema, const std::string& pointer,
                   const std::string& path) {
    const double v = value.GetDouble();
    if (schema.HasMember("minimum") && schema["minimum"].IsNumber() &&
        v < schema["minimum"].GetDouble()) {
      error(
          pointer, path,
          describe_at(value, pointer) + " is below the minimum " + to_json_text(schema["minimum"]));
    }
    if (schema.HasMember("maximum") && schema["maximum"].IsNumber() &&
        v > schema["maximum"].GetDouble()) {
      error(
          pointer, path,
          describe_at(value, pointer) + " is above the maximum " + to_json_text(schema["maximum"]));
    }
  }

  void walk_object(Value& value, const Value& schema, const std::string& pointer,
                   const std::string& path) {
    const Value* properties = schema.HasMember("properties") && schema["properties"].IsObject()
                                  ? &schema["properties"]
                                  : nullptr;
    if (schema.HasMember("required") && schema["required"].IsArray()) {
      for (const Value& key : schema["required"].GetArray()) {
        if (key.IsString() && !value.HasMember(key)) {
          error(pointer, path, std::string("missing required key \"") + key.GetString() + "\"");
        }
      }
    }
    const Value* additional =
        schema.HasMember("additionalProperties") ? &schema["additionalProperties"] : nullptr;
    for (auto& member : value.GetObject()) {
      std::string key = member.name.GetString();
      std::string child_pointer = pointer_child(pointer, key);
      std::string child_path = path_member(path, key);
      if (properties != nullptr && properties->HasMember(key)) {
        walk(member.value, (*properties)[key], child_pointer, child_path);
      } else if (additional != nullptr && additional->IsObject()) {
        walk(member.value, *additional, child_pointer, child_path);
      } else if (additional != nullptr && additional->IsBool() && !additional->GetBool()) {
        error(child_pointer, path, "unknown key \"" + key + "\"" + suggestion(key, properties));
      }
    }
  }

  static std::string suggestion(const std::string& key, const Value* properties) {
    if (properties == nullptr) return "";
    std::string best;
    size_t best_distance = 3;  // suggest only close matches
    for (const auto& p : properties->GetObject()) {
      size_t d = edit_distance(key, p.name.GetString());
      if (d < best_distance) {
        best_distance = d;
        best = p.name.GetString();
      }
    }
    return best.empty() ? "" : " (did you mean \"" + best + "\"?)";
  }

  void error(const std::string& pointer, const std::string& path, std::string message) {
    int line = source_ != nullptr ? source_->line_of(pointer) : 0;
    if (source_ != nullptr) message += source_->variables_note(pointer);
    errors_.push_back(Diagnostic{path, line, std::move(message)});
  }

  rapidjson::Document::AllocatorType& alloc_;
  const SourceMap* source_;
  std::vector<Diagnostic>& errors_;
};

// The display path of `pointer` within `root`, appended to `base`.
std::string display_path(const Value& root, const rapidjson::Pointer& pointer,
                         const std::string& base) {
  std::string path = base;
  const Value* at = &root;
  for (size_t i = 0; i < pointer.GetTokenCount(); ++i) {
    const auto& token = pointer.GetTokens()[i];
    std::string name(token.name, token.length);
    if (at != nullptr && at->IsArray()) {
      path += "[" + name + "]";
      at = token.index < at->Size() ? &(*at)[token.index] : nullptr;
    } else {
      path = path_member(path, name);
      at = (at != nullptr && at->IsObject() && at->HasMember(name)) ? &(*at)[name] : nullptr;
    }
  }
  return path;
}

std::string keyword_message(const std::string& keyword, const Value* rule, const Value* value,
                            const std::string& pointer, const Value* subschema) {
  std::string got = value != nullptr ? describe_at(*value, pointer) : "the value";
  std::string rule_text = rule != nullptr ? to_json_text(*rule) : "?";
  if (keyword == "minimum") return got + " is below the minimum " + rule_text;
  if (keyword == "maximum") return got + " is above the maximum " + rule_text;
  if (keyword == "minLength") return got + " is shorter than " + rule_text + " characters";
  if (keyword == "maxLength") return got + " is longer than " + rule_text + " characters";
  if (keyword == "minItems") return "needs at least " + rule_text + " entries";
  if (keyword == "minProperties") return "needs at least " + rule_text + " entries";
  if (keyword == "pattern") {
    std::string message = got + " does not match the pattern " + rule_text;
    if (subschema != nullptr && subschema->HasMember("description") &&
        (*subschema)["description"].IsString()) {
      message += " (" + std::string((*subschema)["description"].GetString()) + ")";
    }
    return message;
  }
  if (keyword == "type") return got + " has the wrong type";
  if (keyword == "enum") return got + " is not an allowed value";
  return got + " violates the schema keyword \"" + keyword + "\"";
}

}  // namespace

std::string display_path_of(const Value& root, const std::string& pointer,
                            const std::string& base) {
  rapidjson::Pointer parsed(pointer.c_str(), pointer.size());
  return parsed.IsValid() ? display_path(root, parsed, base) : base;
}

std::string describe_json(const Value& value) {
  if (value.IsNull()) return "nothing";
  if (value.IsObject()) return "a mapping";
  if (value.IsArray()) return "a list";
  return to_json_text(value);
}

std::string describe_at(const Value& value, const std::string& pointer) {
  // Under a secret key the offending value is the secret, or part of it: say where, not what.
  for (size_t start = 0; start < pointer.size();) {
    const size_t next = pointer.find('/', start + 1);
    const size_t end = next == std::string::npos ? pointer.size() : next;
    if (::streamhost::redact::is_secret_key(
            std::string_view(pointer).substr(start + 1, end - start - 1))) {
      return "a value (not shown: its key holds a secret)";
    }
    start = end;
  }
  return ::streamhost::redact::redact_text(describe_json(value));
}

void conform_to_schema(Value& value, const Value& schema, rapidjson::Document::AllocatorType& alloc,
                       const std::string& path, const SourceMap* source,
                       std::vector<Diagnostic>& errors) {
  Conformer(alloc, source, errors).walk(value, schema, "", path);
}

std::optional<Diagnostic> validate_against_schema(const Value& value,
                                                  const rapidjson::Document& schema_json,
                                                  const rapidjson::SchemaDocument& schema,
                                                  const std::string& path,
                                                  const SourceMap* source) {
  rapidjson::SchemaValidator validator(schema);
  if (value.Accept(validator)) return std::nullopt;
  const rapidjson::Pointer& doc_pointer = validator.GetInvalidDocumentPointer();
  rapidjson::StringBuffer pointer_text;
  doc_pointer.Stringify(pointer_text);
  const Value* subschema = validator.GetInvalidSchemaPointer().Get(schema_json);
  std::string keyword = validator.GetInvalidSchemaKeyword();
  const Value* rule = subschema != nullptr && subschema->HasMember(keyword)
                          ? &(*subschema)[keyword.c_str()]
                          : nullptr;
  Diagnostic d;
  d.path = display_path(value, doc_pointer, path);
  d.line = source != nullptr ? source->line_of(pointer_text.GetString()) : 0;
  d.message =
      keyword_message(keyword, rule, doc_pointer.Get(value), pointer_text.GetString(), subschema);
  if (source != nullptr) d.message += source->variables_note(pointer_text.GetString());
  return d;
}

}  // namespace streamhost::host
