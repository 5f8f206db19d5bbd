// Typed plugin configuration: declare each option once, with its key, its member in a config struct
// and a description; the default is the member's initializer. From that one declaration the helper
// generates the JSON Schema the host checks the manifest's config against (with "default" and
// "description" for `streamhost plugins inspect`), and reads the host's checked config JSON into
// the struct. A plugin needs no JSON library for its config.
//
//   struct Config {
//     int top_n = 5;
//     std::vector<std::string> drop;
//     std::string url;
//     static constexpr auto options() {
//       return streamhost::plugin::options(
//           streamhost::plugin::option("top_n", &Config::top_n, "how many to keep"),
//           streamhost::plugin::option("drop", &Config::drop, "fields to remove"),
//           streamhost::plugin::required("url", &Config::url, "where the scorer listens"));
//     }
//   };
//
// Option types: bool, integers, floating point, std::string, std::optional of those (absent or null
// = nullopt), std::vector<T> and std::map<std::string, T> of scalars. Unknown keys are refused by
// the host (the generated schema says "additionalProperties": false).
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace streamhost::plugin {

template <typename Config, typename T>
struct Option {
  const char* key;
  T Config::*member;
  const char* description;
  bool required;
};

// An option the config may leave out; it then keeps the struct member's initial value.
template <typename Config, typename T>
constexpr Option<Config, T> option(const char* key, T Config::*member, const char* description) {
  return {key, member, description, false};
}

// An option the manifest must give.
template <typename Config, typename T>
constexpr Option<Config, T> required(const char* key, T Config::*member, const char* description) {
  return {key, member, description, true};
}

template <typename... O>
constexpr std::tuple<O...> options(O... o) {
  return std::tuple<O...>(o...);
}

namespace config_detail {

// The subset of JSON a checked config holds, parsed from the host's text.
struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = Kind::kNull;
  bool boolean = false;
  std::string text;  // a string's value, or a number's literal text
  std::vector<Json> items;
  std::vector<std::string> names;  // object member names, parallel to items
};

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Json document() {
    Json v = value();
    skip();
    if (i_ != s_.size()) fail("trailing text");
    return v;
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw std::invalid_argument(std::string("config is not valid JSON: ") + what + " at offset " +
                                std::to_string(i_));
  }
  void skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  bool take(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }
  Json value() {
    skip();
    if (i_ >= s_.size()) fail("unexpected end");
    Json v;
    char c = s_[i_];
    if (c == '{') {
      v.kind = Json::Kind::kObject;
      ++i_;
      skip();
      if (i_ < s_.size() && s_[i_] == '}') return ++i_, v;
      for (;;) {
        skip();
        v.names.push_back(string());
        skip();
        if (!take(":")) fail("expected ':'");
        v.items.push_back(value());
        skip();
        if (take("}")) return v;
        if (!take(",")) fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.kind = Json::Kind::kArray;
      ++i_;
      skip();
      if (i_ < s_.size() && s_[i_] == ']') return ++i_, v;
      for (;;) {
        v.items.push_back(value());
        skip();
        if (take("]")) return v;
        if (!take(",")) fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.kind = Json::Kind::kString;
      v.text = string();
      return v;
    }
    if (take("true")) return v.kind = Json::Kind::kBool, v.boolean = true, v;
    if (take("false")) return v.kind = Json::Kind::kBool, v;
    if (take("null")) return v;
    size_t start = i_;
    while (i_ < s_.size() && std::string_view("+-0123456789.eE").find(s_[i_]) != std::string::npos)
      ++i_;
    if (start == i_) fail("unexpected character");
    v.kind = Json::Kind::kNumber;
    v.text = std::string(s_.substr(start, i_ - start));
    return v;
  }
  std::string string() {
    if (!take("\"")) fail("expected a string");
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated escape");
      char e = s_[i_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u':
          out += unicode();
          break;
        default:
          out += e;  // \" \\ \/
      }
    }
    if (!take("\"")) fail("unterminated string");
    return out;
  }
  // \uXXXX (with a surrogate pair when one follows) as UTF-8.
  std::string unicode() {
    auto hex4 = [&] {
      if (i_ + 4 > s_.size()) fail("short \\u escape");
      unsigned cp = 0;
      auto [p, ec] = std::from_chars(s_.data() + i_, s_.data() + i_ + 4, cp, 16);
      if (ec != std::errc() || p != s_.data() + i_ + 4) fail("bad \\u escape");
      i_ += 4;
      return cp;
    };
    unsigned cp = hex4();
    if (cp >= 0xD800 && cp < 0xDC00 && take("\\u"))
      cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4() - 0xDC00);
    std::string out;
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
  }

  std::string_view s_;
  size_t i_ = 0;
};

inline std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[(c >> 4) & 0xF];
      out += hex[c & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};
template <typename T>
struct IsMap : std::false_type {};
template <typename T>
struct IsMap<std::map<std::string, T>> : std::true_type {};
template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

template <typename T>
constexpr bool kSupported = std::is_arithmetic_v<T> || std::is_same_v<T, std::string> ||
                            IsOptional<T>::value || IsVector<T>::value || IsMap<T>::value;

// The JSON Schema of one option's type.
template <typename T>
std::string type_schema() {
  static_assert(kSupported<T>,
                "config option type must be bool, an integer, a floating-point type, std::string, "
                "or std::optional, std::vector or std::map<std::string, ...> of those");
  if constexpr (std::is_same_v<T, bool>) {
    return R"("type": "boolean")";
  } else if constexpr (std::is_integral_v<T>) {
    return std::is_unsigned_v<T> ? R"("type": "integer", "minimum": 0)" : R"("type": "integer")";
  } else if constexpr (std::is_floating_point_v<T>) {
    return R"("type": "number")";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return R"("type": "string")";
  } else if constexpr (IsOptional<T>::value) {
    return type_schema<typename T::value_type>();
  } else if constexpr (IsVector<T>::value) {
    return R"("type": "array", "items": {)" + type_schema<typename T::value_type>() + "}";
  } else {
    return R"("type": "object", "additionalProperties": {)" +
           type_schema<typename T::mapped_type>() + "}";
  }
}

// A value as JSON text, for the schema's "default".
template <typename T>
std::string to_json(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_arithmetic_v<T>) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, ec == std::errc() ? end : buf);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return quote(v);
  } else if constexpr (IsOptional<T>::value) {
    return v ? to_json(*v) : "null";
  } else if constexpr (IsVector<T>::value) {
    std::string out = "[";
    for (const auto& item : v) out += (out.size() > 1 ? ", " : "") + to_json(item);
    return out + "]";
  } else {
    std::string out = "{";
    for (const auto& [k, item] : v)
      out += (out.size() > 1 ? ", " : "") + quote(k) + ": " + to_json(item);
    return out + "}";
  }
}

template <typename T>
T from_json(const Json& j, const std::string& where) {
  auto wrong = [&](const char* expected) -> std::invalid_argument {
    return std::invalid_argument("config " + where + ": expected " + expected);
  };
  if constexpr (std::is_same_v<T, bool>) {
    if (j.kind != Json::Kind::kBool) throw wrong("true or false");
    return j.boolean;
  } else if constexpr (std::is_integral_v<T>) {
    T v{};
    auto [p, ec] = std::from_chars(j.text.data(), j.text.data() + j.text.size(), v);
    if (j.kind != Json::Kind::kNumber || ec != std::errc() || p != j.text.data() + j.text.size())
      throw wrong("an integer in range");
    return v;
  } else if constexpr (std::is_floating_point_v<T>) {
    if (j.kind != Json::Kind::kNumber) throw wrong("a number");
    return static_cast<T>(std::strtod(j.text.c_str(), nullptr));
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (j.kind != Json::Kind::kString) throw wrong("a string");
    return j.text;
  } else if constexpr (IsOptional<T>::value) {
    if (j.kind == Json::Kind::kNull) return std::nullopt;
    return from_json<typename T::value_type>(j, where);
  } else if constexpr (IsVector<T>::value) {
    if (j.kind != Json::Kind::kArray) throw wrong("an array");
    T out;
    for (size_t i = 0; i < j.items.size(); ++i)
      out.push_back(
          from_json<typename T::value_type>(j.items[i], where + "[" + std::to_string(i) + "]"));
    return out;
  } else {
    if (j.kind != Json::Kind::kObject) throw wrong("an object");
    T out;
    for (size_t i = 0; i < j.items.size(); ++i)
      out[j.names[i]] = from_json<typename T::mapped_type>(j.items[i], where + "." + j.names[i]);
    return out;
  }
}

}  // namespace config_detail

// The JSON Schema of Config's options (a closed object: unknown keys are errors).
template <typename Config>
std::string config_schema_json() {
  const Config defaults{};
  std::string properties, required_keys;
  std::apply(
      [&](const auto&... o) {
        ((properties +=
          (properties.empty() ? "" : ",\n    ") + config_detail::quote(o.key) + ": {" +
          config_detail::type_schema<std::remove_cvref_t<decltype(defaults.*o.member)>>() +
          ", \"description\": " + config_detail::quote(o.description ? o.description : "") +
          (o.required ? "" : ", \"default\": " + config_detail::to_json(defaults.*o.member)) + "}",
          required_keys +=
          o.required ? (required_keys.empty() ? "" : ", ") + config_detail::quote(o.key) : ""),
         ...);
      },
      Config::options());
  return "{\n  \"type\": \"object\",\n  \"additionalProperties\": false,\n" +
         (required_keys.empty() ? std::string() : "  \"required\": [" + required_keys + "],\n") +
         "  \"properties\": {\n    " + properties + "\n  }\n}";
}

// Config from the host's checked config JSON: given keys are converted, others keep their
// defaults. Throws std::invalid_argument naming the key when a value does not fit.
template <typename Config>
Config read_config(std::string_view config_json) {
  const config_detail::Json doc = config_detail::Parser(config_json).document();
  if (doc.kind != config_detail::Json::Kind::kObject)
    throw std::invalid_argument("config must be a JSON object");
  Config config{};
  std::apply(
      [&](const auto&... o) {
        (
            [&] {
              using T = std::remove_cvref_t<decltype(config.*o.member)>;
              for (size_t i = 0; i < doc.items.size(); ++i) {
                if (doc.names[i] == o.key) {
                  config.*o.member = config_detail::from_json<T>(doc.items[i], o.key);
                  return;
                }
              }
              if (o.required)
                throw std::invalid_argument(std::string("config: missing required key ") +
                                            config_detail::quote(o.key));
            }(),
            ...);
      },
      Config::options());
  return config;
}

}  // namespace streamhost::plugin
