#include "manifest/interpolate.hpp"

#include <cctype>
#include <cstdlib>

namespace streamhost::host {
namespace {

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

InterpolationResult interpolate(std::string_view text, const EnvLookup& env) {
  InterpolationResult result;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      result.value += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      result.value += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      result.error = "unterminated \"${\" (write \"$${\" for a literal \"${\")";
      return result;
    }
    std::string_view body = text.substr(i + 2, close - i - 2);
    size_t name_end = 0;
    while (name_end < body.size() && is_name_char(body[name_end])) ++name_end;
    std::string name(body.substr(0, name_end));
    std::string_view rest = body.substr(name_end);
    bool has_default = rest.starts_with(":-");
    if (name.empty() || !is_name_start(name[0]) || (!rest.empty() && !has_default)) {
      result.error = "malformed reference \"${" + std::string(body) +
                     "}\" (expected ${NAME} or ${NAME:-default})";
      return result;
    }
    result.used.push_back("${" + std::string(body) + "}");
    std::optional<std::string> value = env(name);
    if (has_default) {
      result.value += (value && !value->empty()) ? *value : std::string(rest.substr(2));
    } else if (value) {
      result.value += *value;
    } else {
      result.missing.push_back(name);
    }
    i = close + 1;
  }
  return result;
}

}  // namespace streamhost::host
