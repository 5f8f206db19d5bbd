// The one rule for plugin and handler names, `[a-z0-9_-]+`: the manifest mapper applies it to the
// names a manifest writes (plugins' keys, routes' plugin/handler) and the plugin loader to the
// names a library declares, so the two can never disagree. Scanned by hand, as number_shape.hpp
// explains.
#pragma once

#include <string_view>

namespace streamhost::host {

inline bool is_plugin_name(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

// The rule in words, for messages.
inline constexpr std::string_view kPluginNameRule = "lower-case letters, digits, '_' or '-'";

}  // namespace streamhost::host
