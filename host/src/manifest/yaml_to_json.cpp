#include "manifest/yaml_to_json.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "manifest/utf8.hpp"

namespace streamhost::host {
namespace {

using rapidjson::Value;

int line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

// A plain scalar's JSON value per YAML 1.2's core schema.
Value infer_plain(const std::string& text, rapidjson::Document::AllocatorType& alloc) {
  static const std::regex kInteger("[-+]?[0-9]+");
  static const std::regex kNumber("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (text == "true" || text == "True" || text == "TRUE") return Value(true);
  if (text == "false" || text == "False" || text == "FALSE") return Value(false);
  if (text == "null" || text == "Null" || text == "NULL" || text == "~") return Value();
  if (std::regex_match(text, kInteger)) {
    errno = 0;
    long long n = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == 0) return Value(static_cast<int64_t>(n));
  }
  if (std::regex_match(text, kNumber)) {
    double d = std::strtod(text.c_str(), nullptr);
    if (std::isfinite(d)) return Value(d);  // 1e400 stays text: JSON has no infinity
  }
  return Value(text, alloc);
}

class Converter {
 public:
  Converter(const EnvLookup& env, YamlConversion& out) : env_(env), out_(out) {}

  Value convert(const YAML::Node& node, const std::string& pointer, const std::string& path) {
    auto& alloc = out_.json.GetAllocator();
    switch (node.Type()) {
      case YAML::NodeType::Map: {
        Value object(rapidjson::kObjectType);
        for (const auto& member : node) {
          if (!member.first.IsScalar()) {
            error(path, line_of(member.first), "keys must be plain text");
            continue;
          }
          std::string key = member.first.Scalar();
          std::string child = pointer_child(pointer, key);
          out_.source.lines[child] = line_of(member.first);
          if (object.HasMember(key)) {
            error(path_member(path, key), line_of(member.first), "duplicate key \"" + key + "\"");
            continue;
          }
          Value v = convert(member.second, child, path_member(path, key));
          object.AddMember(Value(key, alloc), v, alloc);
        }
        return object;
      }
      case YAML::NodeType::Sequence: {
        Value array(rapidjson::kArrayType);
        size_t index = 0;
        for (const auto& item : node) {
          std::string child = pointer_child(pointer, std::to_string(index));
          out_.source.lines[child] = line_of(item);
          array.PushBack(convert(item, child, path_item(path, index)), alloc);
          ++index;
        }
        return array;
      }
      case YAML::NodeType::Scalar:
        return scalar(node, pointer, path);
      default:
        return Value();  // Null or Undefined: nothing written after the key
    }
  }

 private:
  Value scalar(const YAML::Node& node, const std::string& pointer, const std::string& path) {
    InterpolationResult r = interpolate(node.Scalar(), env_);
    int line = line_of(node);
    for (const std::string& name : r.missing) {
      error(path, line,
            "environment variable " + name + " is not set (set it, or give a default with ${" +
                name + ":-value})");
    }
    if (!r.error.empty()) error(path, line, r.error);
    // The text itself was checked (and yaml-cpp refuses escapes that are no character, such as
    // "\ud800"), but a variable's value may hold any bytes.
    if (r.error.empty() && first_non_utf8(r.value)) {
      error(path, line,
            "the value is not UTF-8 text (check its escapes and the variables it uses)");
    }
    auto& alloc = out_.json.GetAllocator();
    // yaml-cpp tags plain scalars "?" and quoted ones "!".
    if (node.Tag() != "?") return Value(r.value, alloc);
    out_.source.plain_texts[pointer] = r.value;
    if (r.value.empty()) return Value(r.value, alloc);  // `${UNSET:-}`: an empty string
    return infer_plain(r.value, alloc);
  }

  void error(const std::string& path, int line, std::string message) {
    out_.errors.push_back(Diagnostic{path, line, std::move(message)});
  }

  const EnvLookup& env_;
  YamlConversion& out_;
};

}  // namespace

YamlConversion yaml_to_json(const YAML::Node& root, const EnvLookup& env) {
  YamlConversion out;
  Converter converter(env, out);
  out.source.lines[""] = 1;
  Value v = converter.convert(root, "", "");
  static_cast<Value&>(out.json).Swap(v);
  return out;
}

}  // namespace streamhost::host
