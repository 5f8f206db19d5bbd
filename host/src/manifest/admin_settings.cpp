#include "manifest/admin_settings.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

#include "manifest/manifest_loader.hpp"
#include "manifest/yaml_to_json.hpp"

namespace streamhost::host {
namespace {

std::string string_member(const rapidjson::Value& admin, const char* key, std::string fallback) {
  if (!admin.HasMember(key)) return fallback;
  const rapidjson::Value& v = admin[key];
  return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : fallback;
}

}  // namespace

AdminSpec read_admin_settings(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ManifestError({path + ": cannot read the manifest file"});
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    throw ManifestError(
        {Diagnostic{"", e.mark.line >= 0 ? e.mark.line + 1 : 0, "invalid YAML: " + e.msg}.format(
            path)});
  }
  const YamlConversion converted = yaml_to_json(root, env);
  std::vector<std::string> errors;
  for (const Diagnostic& d : converted.errors) {
    if (converted.limit_exceeded || d.path == "admin" || d.path.starts_with("admin.")) {
      errors.push_back(d.format(path));
    }
  }
  AdminSpec spec;
  const rapidjson::Value& doc = converted.json;
  if (errors.empty() && doc.IsObject() && doc.HasMember("admin") && doc["admin"].IsObject()) {
    const rapidjson::Value& admin = doc["admin"];
    spec.bind = string_member(admin, "bind", spec.bind);
    spec.token_file = string_member(admin, "token_file", "");
    spec.token_env = string_member(admin, "token_env", "");
    if (admin.HasMember("port")) {
      const rapidjson::Value& port = admin["port"];
      int value = -1;
      if (port.IsInt()) {
        value = port.GetInt();
      } else if (port.IsString()) {
        const char* begin = port.GetString();
        const char* end = begin + port.GetStringLength();
        if (auto [at, ec] = std::from_chars(begin, end, value); ec != std::errc() || at != end) {
          value = -1;
        }
      }
      if (value < 1 || value > 65535) {
        const auto line = converted.source.lines.find("/admin/port");
        errors.push_back(Diagnostic{"admin.port",
                                    line == converted.source.lines.end() ? 0 : line->second,
                                    "expected a port number from 1 to 65535"}
                             .format(path));
      } else {
        spec.port = static_cast<uint16_t>(value);
      }
    }
  }
  if (!errors.empty()) throw ManifestError(errors);
  return spec;
}

}  // namespace streamhost::host
