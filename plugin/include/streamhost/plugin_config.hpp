// Typed plugin configuration: declare each option once, with its key, its member in a config struct
// and a description; the default is the member's initializer. From that one declaration the helper
// generates the JSON Schema the host checks the manifest's config against (with "default",
// "description" and any range or allowed values, for `streamhost plugins inspect`), and reads the
// host's checked config JSON into the struct. A plugin needs no JSON library for its config.
//
//   struct Zone {
//     std::string name;
//     double radius_m = 50;
//     static constexpr auto options() {
//       return sp::options(sp::required("name", &Zone::name, "the zone's name"),
//                          sp::option("radius_m", &Zone::radius_m, "metres").at_least(1));
//     }
//   };
//   struct Config {
//     int top_n = 5;
//     std::vector<Zone> zones;
//     static constexpr auto options() {
//       return sp::options(sp::option("top_n", &Config::top_n, "how many to keep"),
//                          sp::required("zones", &Config::zones, "the store zones"));
//     }
//   };
//
// Option types: bool, integers, floating point, std::string, a struct with its own
// `static constexpr auto options()`, and std::optional, std::vector or std::map<std::string, T> of
// any of these, to any depth. std::optional is left out or null for nullopt. Unknown keys are
// refused by the host at every level (each struct's schema says "additionalProperties": false).
// An option of any other type stops the build with one static_assert whose "required from here"
// note is the option(...) call naming it.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <streamhost/config_errors.hpp>
#include <streamhost/plugin_config_json.hpp>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace streamhost::plugin {

namespace config_detail {

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

// A struct that declares its options (a Config, or a struct nested in one).
template <typename T>
concept OptionStruct = std::is_class_v<T> && requires {
  T::options();
};

template <typename T>
struct Supported : std::bool_constant<std::is_arithmetic_v<T> || std::is_same_v<T, std::string> ||
                                      OptionStruct<T>> {};
template <typename T>
struct Supported<std::optional<T>> : Supported<T> {};
template <typename T>
struct Supported<std::vector<T>> : Supported<T> {};
template <typename T>
struct Supported<std::map<std::string, T>> : Supported<T> {};

template <typename T>
constexpr bool kSupported = Supported<T>::value;

}  // namespace config_detail

template <typename Config, typename T>
struct Option {
  const char* key;
  T Config::*member;
  const char* description;
  bool required;
  // Bounds and allowed values of the scalars the option holds (of each item of a list or map).
  bool has_minimum = false;
  double minimum = 0;
  bool has_maximum = false;
  double maximum = 0;
  std::span<const std::string_view> choices{};

  // The smallest value allowed ("minimum" in the schema).
  constexpr Option at_least(double v) const {
    Option o = *this;
    o.has_minimum = true;
    o.minimum = v;
    return o;
  }
  // The largest value allowed ("maximum" in the schema).
  constexpr Option at_most(double v) const {
    Option o = *this;
    o.has_maximum = true;
    o.maximum = v;
    return o;
  }
  // The only strings allowed ("enum" in the schema); `allowed` must be static:
  //   static constexpr std::string_view kModes[] = {"fast", "exact"};
  constexpr Option one_of(std::span<const std::string_view> allowed) const {
    Option o = *this;
    o.choices = allowed;
    return o;
  }
};

// The one check of an option's type. It sits in option() and required() so the compiler's
// "required from here" note points at the call that names the option.
template <typename T>
constexpr void check_option_type() {
  static_assert(config_detail::kSupported<T>,
                "streamhost::plugin::option: this option's member has a type typed config cannot "
                "hold (the option(...) call is in the \"required from here\" note). Use bool, an "
                "integer, a floating-point type, std::string, a struct with its own `static "
                "constexpr auto options()`, or std::optional, std::vector or "
                "std::map<std::string, T> of those");
}

// An option the config may leave out; it then keeps the struct member's initial value.
template <typename Config, typename T>
constexpr Option<Config, T> option(const char* key, T Config::*member, const char* description) {
  check_option_type<T>();
  return {key, member, description, false};
}

// An option the manifest must give.
template <typename Config, typename T>
constexpr Option<Config, T> required(const char* key, T Config::*member, const char* description) {
  check_option_type<T>();
  return {key, member, description, true};
}

template <typename... O>
constexpr std::tuple<O...> options(O... o) {
  return std::tuple<O...>(o...);
}

namespace config_detail {

// What an option adds to the schema of the scalars it holds.
struct Constraints {
  bool has_minimum = false;
  double minimum = 0;
  bool has_maximum = false;
  double maximum = 0;
  std::span<const std::string_view> choices{};
};

template <typename C, typename T>
constexpr Constraints constraints_of(const Option<C, T>& o) {
  return {o.has_minimum, o.minimum, o.has_maximum, o.maximum, o.choices};
}

inline std::string number_text(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ec == std::errc() ? end : buf);
}

inline std::string type_text(const char* type, bool nullable) {
  return nullable ? std::string("[\"") + type + "\", \"null\"]" : std::string("\"") + type + "\"";
}

// The bounds of an integer type the schema states, so a value that does not fit is refused by
// `validate` with its path rather than by instance_create. Stated only below 64 bits, where a
// double holds the limits exactly.
template <typename T>
Constraints with_type_limits(Constraints c) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if constexpr (sizeof(T) < 8) {
      const double lo = static_cast<double>(std::numeric_limits<T>::min());
      const double hi = static_cast<double>(std::numeric_limits<T>::max());
      c.minimum = c.has_minimum && c.minimum > lo ? c.minimum : lo;
      c.maximum = c.has_maximum && c.maximum < hi ? c.maximum : hi;
      c.has_minimum = c.has_maximum = true;
    } else if constexpr (std::is_unsigned_v<T>) {
      c.minimum = c.has_minimum && c.minimum > 0 ? c.minimum : 0;
      c.has_minimum = true;
    }
  }
  return c;
}

template <typename S>
std::string object_schema(bool nullable);

// The schema members of T ("type": ... and what follows), without braces.
template <typename T>
std::string type_schema(const Constraints& constraints = {}, bool nullable = false) {
  if constexpr (!kSupported<T>) {
    return "";  // option() already stopped the build with the one message
  } else if constexpr (IsOptional<T>::value) {
    return type_schema<typename T::value_type>(constraints, true);
  } else if constexpr (std::is_same_v<T, bool>) {
    return "\"type\": " + type_text("boolean", nullable);
  } else if constexpr (std::is_arithmetic_v<T>) {
    const Constraints c = with_type_limits<T>(constraints);
    std::string out =
        "\"type\": " + type_text(std::is_integral_v<T> ? "integer" : "number", nullable);
    if (c.has_minimum) out += ", \"minimum\": " + number_text(c.minimum);
    if (c.has_maximum) out += ", \"maximum\": " + number_text(c.maximum);
    return out;
  } else if constexpr (std::is_same_v<T, std::string>) {
    std::string out = "\"type\": " + type_text("string", nullable);
    if (!constraints.choices.empty()) {
      out += ", \"enum\": [";
      for (size_t i = 0; i < constraints.choices.size(); ++i)
        out += (i ? ", " : "") + quote(constraints.choices[i]);
      out += nullable ? ", null]" : "]";
    }
    return out;
  } else if constexpr (IsVector<T>::value) {
    return "\"type\": " + type_text("array", nullable) + ", \"items\": {" +
           type_schema<typename T::value_type>(constraints) + "}";
  } else if constexpr (IsMap<T>::value) {
    return "\"type\": " + type_text("object", nullable) + ", \"additionalProperties\": {" +
           type_schema<typename T::mapped_type>(constraints) + "}";
  } else {
    return object_schema<T>(nullable);
  }
}

// A value as JSON text, for the schema's "default".
template <typename T>
std::string to_json(const T& v) {
  if constexpr (!kSupported<T>) {
    return "null";
  } else if constexpr (std::is_same_v<T, bool>) {
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
  } else if constexpr (IsMap<T>::value) {
    std::string out = "{";
    for (const auto& [k, item] : v)
      out += (out.size() > 1 ? ", " : "") + quote(k) + ": " + to_json(item);
    return out + "}";
  } else {
    std::string out = "{";
    std::apply(
        [&](const auto&... o) {
          ((out += (out.size() > 1 ? ", " : "") + quote(o.key) + ": " + to_json(v.*o.member)), ...);
        },
        T::options());
    return out + "}";
  }
}

// A struct's schema: a closed object of its options, each with its description and default.
template <typename S>
std::string object_schema(bool nullable) {
  const S defaults{};
  std::string properties, required_keys;
  std::apply(
      [&](const auto&... o) {
        ((properties +=
          (properties.empty() ? "" : ", ") + quote(o.key) + ": {" +
          type_schema<std::remove_cvref_t<decltype(defaults.*o.member)>>(constraints_of(o)) +
          ", \"description\": " + quote(o.description ? o.description : "") +
          (o.required ? "" : ", \"default\": " + to_json(defaults.*o.member)) + "}",
          required_keys += o.required ? (required_keys.empty() ? "" : ", ") + quote(o.key) : ""),
         ...);
      },
      S::options());
  return "\"type\": " + type_text("object", nullable) + ", \"additionalProperties\": false" +
         (required_keys.empty() ? std::string() : ", \"required\": [" + required_keys + "]") +
         ", \"properties\": {" + properties + "}";
}

inline std::string member_path(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : where + "." + std::string(key);
}

template <typename T>
T from_json(const Json& j, const std::string& where);

template <typename S>
S struct_from_json(const Json& j, const std::string& where) {
  if (j.kind != Json::Kind::kObject)
    throw std::invalid_argument("config " + (where.empty() ? "" : where + ": ") +
                                "expected an object");
  S out{};
  std::apply(
      [&](const auto&... o) {
        (
            [&] {
              using T = std::remove_cvref_t<decltype(out.*o.member)>;
              for (size_t i = 0; i < j.items.size(); ++i) {
                if (j.names[i] == o.key) {
                  out.*o.member = from_json<T>(j.items[i], member_path(where, o.key));
                  return;
                }
              }
              if (o.required) {
                throw std::invalid_argument("config " + (where.empty() ? "" : where + ": ") +
                                            "missing required key " + quote(o.key));
              }
            }(),
            ...);
      },
      S::options());
  return out;
}

template <typename T>
T from_json(const Json& j, const std::string& where) {
  auto wrong = [&](const char* expected) -> std::invalid_argument {
    return std::invalid_argument("config " + where + ": expected " + expected);
  };
  if constexpr (!kSupported<T>) {
    return T{};
  } else if constexpr (std::is_same_v<T, bool>) {
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
  } else if constexpr (IsMap<T>::value) {
    if (j.kind != Json::Kind::kObject) throw wrong("an object");
    T out;
    for (size_t i = 0; i < j.items.size(); ++i)
      out[j.names[i]] =
          from_json<typename T::mapped_type>(j.items[i], member_path(where, j.names[i]));
    return out;
  } else {
    return struct_from_json<T>(j, where);
  }
}

}  // namespace config_detail

// The JSON Schema of Config's options (a closed object: unknown keys are errors at every level).
template <typename Config>
std::string config_schema_json() {
  return "{" + config_detail::object_schema<Config>(false) + "}";
}

// Config from the host's checked config JSON: given keys are converted, others keep their
// defaults. Throws std::invalid_argument naming the key path when a value does not fit.
template <typename Config>
Config read_config(std::string_view config_json) {
  const config_detail::Json doc = config_detail::Parser(config_json).document();
  if (doc.kind != config_detail::Json::Kind::kObject)
    throw std::invalid_argument("config must be a JSON object");
  return config_detail::struct_from_json<Config>(doc, "");
}

}  // namespace streamhost::plugin
