// Collects the problems a plugin's own config check finds, each at its key path, so the host can
// report every one of them with its full path and manifest line:
//
//   static void check_config(const Config& config, sp::ConfigErrors& errors) {
//     for (size_t i = 0; i < config.zones.size(); ++i) {
//       if (config.zones[i].radius_m > config.max_radius_m)
//         errors.at("zones", i, "radius_m").add("is larger than max_radius_m");
//     }
//   }
//
// The host prints that as `m.yaml:14: plugins.geofence.config.zones[1].radius_m: is larger than
// max_radius_m`. Keys are member names (strings) or list indexes (integers).
//
// On the ABI (sh_plugin_descriptor.config_check) the problems travel as text, one per line:
// "<JSON Pointer into the config>\t<message>"; encoded() writes it.
#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace streamhost::plugin {

class ConfigErrors {
 public:
  // A place in the config problems can be added at.
  class At {
   public:
    // Records one problem here; `message` says what is wrong and, ideally, what would be right.
    void add(std::string_view message) const { errors_->add_at(pointer_, message); }
    // A place below this one.
    template <typename... Keys>
    At at(const Keys&... keys) const {
      return At(*errors_, (std::string(pointer_) += ... += token(keys)));
    }

   private:
    friend class ConfigErrors;
    At(ConfigErrors& errors, std::string pointer)
        : errors_(&errors), pointer_(std::move(pointer)) {}
    ConfigErrors* errors_;
    std::string pointer_;
  };

  template <typename... Keys>
  At at(const Keys&... keys) {
    return At(*this, (std::string() += ... += token(keys)));
  }
  // A problem of the config as a whole.
  void add(std::string_view message) { add_at("", message); }

  bool empty() const { return problems_.empty(); }
  size_t size() const { return problems_.size(); }
  // (JSON Pointer, message) pairs in the order they were added.
  const std::vector<std::pair<std::string, std::string>>& problems() const { return problems_; }

  // The ABI text: one "<pointer>\t<message>" line per problem.
  std::string encoded() const {
    std::string out;
    for (const auto& [pointer, message] : problems_) {
      if (!out.empty()) out += '\n';
      out += pointer + '\t' + message;
    }
    return out;
  }

 private:
  void add_at(const std::string& pointer, std::string_view message) {
    std::string text(message);
    // One problem per line on the ABI: a line break inside a message would start a false one.
    for (char& c : text) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    problems_.emplace_back(pointer, std::move(text));
  }

  // One JSON Pointer token: "/" + the key with "~" and "/" escaped, or "/" + an index.
  template <typename K>
  static std::string token(const K& key) {
    if constexpr (std::integral<K>) {
      return "/" + std::to_string(key);
    } else {
      std::string out = "/";
      for (char c : std::string_view(key)) {
        if (c == '~') {
          out += "~0";
        } else if (c == '/') {
          out += "~1";
        } else {
          out += c;
        }
      }
      return out;
    }
  }

  std::vector<std::pair<std::string, std::string>> problems_;
};

}  // namespace streamhost::plugin
