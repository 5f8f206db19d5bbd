#include "manifest/yaml_to_json.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "config_check/number_shape.hpp"
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
  if (text == "true" || text == "True" || text == "TRUE") return Value(true);
  if (text == "false" || text == "False" || text == "FALSE") return Value(false);
  if (text == "null" || text == "Null" || text == "NULL" || text == "~") return Value();
  const NumberShape shape = number_shape(text);
  if (shape == NumberShape::kInteger) {
    errno = 0;
    long long n = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == 0) return Value(static_cast<int64_t>(n));
  }
  if (shape != NumberShape::kNone) {
    double d = std::strtod(text.c_str(), nullptr);
    if (std::isfinite(d)) return Value(d);  // 1e400 stays text: JSON has no infinity
  }
  return Value(text, alloc);
}

// Why `key` cannot name a setting, or nullopt. A quoted key may hold any escape ("\0", "\x04"),
// and a key is written into plugin configs and into messages, where a control character would be
// a trap: a name that prints like another, or a terminal escape.
std::optional<std::string> key_problem(const std::string& key) {
  for (size_t i = 0; i < key.size();) {
    const auto cp = decode_utf8(key, i);
    if (!cp) return "a key is not UTF-8 text (byte " + std::to_string(i) + " of the key)";
    if (is_control_character(cp->value)) {
      return "a key holds the control character " + code_point_name(cp->value) + " (byte " +
             std::to_string(i) + " of the key); keys must be printable text";
    }
    i += cp->bytes;
  }
  return std::nullopt;
}

// Thrown when a manifest expands past a limit: conversion stops at the first one.
struct LimitExceeded {
  Diagnostic diagnostic;
};

class Converter {
 public:
  Converter(const EnvLookup& env, YamlConversion& out) : env_(env), out_(out) {}

  Value convert(const YAML::Node& node, const std::string& pointer, const std::string& path) {
    count_value(node, pointer.size(), path);
    switch (node.Type()) {
      case YAML::NodeType::Map:
      case YAML::NodeType::Sequence: {
        Nesting nesting(*this, node, path);
        return node.IsMap() ? map(node, pointer, path) : sequence(node, pointer, path);
      }
      case YAML::NodeType::Scalar:
        return scalar(node, pointer, path);
      default:
        return Value();  // Null or Undefined: nothing written after the key
    }
  }

 private:
  // Keeps the ancestors of the node being converted, to refuse an alias to one of them (a cycle)
  // and nesting deeper than the limit.
  class Nesting {
   public:
    Nesting(Converter& c, const YAML::Node& node, const std::string& path) : c_(c) {
      for (const YAML::Node& ancestor : c_.ancestors_) {
        if (ancestor.is(node)) {
          c_.stop(path, line_of(node),
                  "a YAML alias refers to a node that contains it, which would expand forever");
        }
      }
      if (c_.ancestors_.size() >= kManifestMaxDepth) {
        c_.stop(path, line_of(node),
                "nested deeper than " + std::to_string(kManifestMaxDepth) + " levels (the limit)");
      }
      c_.ancestors_.push_back(node);
    }
    ~Nesting() { c_.ancestors_.pop_back(); }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Converter& c_;
  };

  // YAML aliases repeat the node they name without copying text, so a few lines can stand for
  // billions of values ("billion laughs"). Every value, as expanded, is counted with the bytes of
  // its key path and its text; conversion stops at the first limit passed.
  void count_value(const YAML::Node& node, size_t pointer_bytes, const std::string& path) {
    if (++values_ > kManifestMaxValues) {
      stop(path, line_of(node),
           "the manifest expands to more than " + std::to_string(kManifestMaxValues) +
               " values (the limit; YAML aliases repeat what they name)");
    }
    count_bytes(node, pointer_bytes, path);
  }

  void count_bytes(const YAML::Node& node, size_t bytes, const std::string& path) {
    bytes_ += bytes;
    if (bytes_ > kManifestMaxExpandedBytes) {
      stop(path, line_of(node),
           "the manifest expands to more than " + std::to_string(kManifestMaxExpandedBytes) +
               " bytes of text (the limit; YAML aliases repeat what they name)");
    }
  }

  [[noreturn]] void stop(const std::string& path, int line, std::string message) {
    throw LimitExceeded{Diagnostic{path, line, std::move(message)}};
  }

  Value map(const YAML::Node& node, const std::string& pointer, const std::string& path) {
    auto& alloc = out_.json.GetAllocator();
    Value object(rapidjson::kObjectType);
    for (const auto& member : node) {
      if (!member.first.IsScalar()) {
        error(path, line_of(member.first), "keys must be plain text");
        continue;
      }
      std::string key = member.first.Scalar();
      if (const auto problem = key_problem(key)) {
        error(path, line_of(member.first), *problem);
        continue;
      }
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

  Value sequence(const YAML::Node& node, const std::string& pointer, const std::string& path) {
    auto& alloc = out_.json.GetAllocator();
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

  Value scalar(const YAML::Node& node, const std::string& pointer, const std::string& path) {
    InterpolationResult r = interpolate(node.Scalar(), env_);
    int line = line_of(node);
    count_bytes(node, r.value.size(), path);
    for (const std::string& name : r.missing) {
      error(path, line,
            "environment variable " + name + " is not set (set it, or give a default with ${" +
                name + ":-value})");
    }
    if (!r.error.empty()) error(path, line, r.error);
    if (!r.used.empty()) {
      std::string& names = out_.source.variables[pointer];
      for (const std::string& ref : r.used) names += (names.empty() ? "" : ", ") + ref;
    }
    // The text itself was checked (and yaml-cpp refuses escapes that are no character, such as
    // "\ud800"), but a variable's value may hold any bytes.
    if (r.error.empty() && first_non_utf8(r.value)) {
      error(path, line,
            "the value is not UTF-8 text (check its escapes and the variables it uses)");
    }
    // Settings reach C strings (file paths, libpq, topic names): a "\0" escape would cut a value
    // short without a word.
    if (r.value.find('\0') != std::string::npos) {
      error(path, line, "the value holds U+0000 (NUL), which no setting can take");
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
  std::vector<YAML::Node> ancestors_;
  size_t values_ = 0;
  size_t bytes_ = 0;
};

}  // namespace

YamlConversion yaml_to_json(const YAML::Node& root, const EnvLookup& env) {
  YamlConversion out;
  Converter converter(env, out);
  out.source.lines[""] = 1;
  try {
    Value v = converter.convert(root, "", "");
    static_cast<Value&>(out.json).Swap(v);
  } catch (LimitExceeded& e) {
    out.json.SetNull();
    out.errors.push_back(std::move(e.diagnostic));
    out.limit_exceeded = true;
  }
  return out;
}

}  // namespace streamhost::host
