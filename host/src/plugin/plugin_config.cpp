// Plugin configs are checked with the same two passes as the manifest (schema_conform.hpp), so a
// plugin author's schema gets the same type conversion and the same messages.
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstring>

#include "config_check/schema_conform.hpp"
#include "plugin/descriptor_read.hpp"
#include "plugin/loader.hpp"

namespace streamhost::host {

std::string validate_plugin_config(const PluginLibrary& library, const std::string& plugin_name,
                                   const std::string& config_json, std::string* summary) {
  const sh_plugin_descriptor d = read_descriptor(*library.descriptor);
  std::string who = "plugin \"" + plugin_name + "\" (" + library.path + ")";
  std::string path = "plugins." + plugin_name + ".config";

  rapidjson::Document config;
  config.Parse(config_json);
  if (config.HasParseError() || !config.IsObject()) {
    throw PluginError(path + ": the config must be a JSON object");
  }
  if (d.config_schema_json != nullptr) {
    rapidjson::Document schema_json;
    schema_json.Parse(d.config_schema_json);
    if (schema_json.HasParseError()) {
      throw PluginError(who + ": its config schema is not valid JSON: " +
                        rapidjson::GetParseError_En(schema_json.GetParseError()) + " (offset " +
                        std::to_string(schema_json.GetErrorOffset()) + ")");
    }
    if (!schema_json.IsObject())
      throw PluginError(who + ": its config schema is not a JSON object");

    std::vector<Diagnostic> errors;
    conform_to_schema(config, schema_json, config.GetAllocator(), path, nullptr, errors);
    if (errors.empty()) {
      rapidjson::SchemaDocument schema(schema_json);
      if (auto d2 = validate_against_schema(config, schema_json, schema, path, nullptr)) {
        errors.push_back(*d2);
      }
    }
    if (!errors.empty()) throw PluginError(join_diagnostics(errors, ""));
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  config.Accept(writer);
  std::string validated = buffer.GetString();
  // ABI 1.1: the plugin's own checks (files the config names, ...). read_descriptor() leaves it
  // NULL for a 1.0 descriptor, which ends before the field.
  if (d.abi_minor >= 1 && d.config_check != nullptr) {
    std::string why(4096, '\0');
    if (d.config_check(validated.c_str(), why.data(), why.size()) != 1) {
      why.resize(std::strlen(why.c_str()));
      throw PluginError(path + ": " + (why.empty() ? "refused by the plugin" : why));
    }
    if (summary) *summary = why.c_str();  // up to the NUL the plugin wrote, if any
  }
  return validated;
}

}  // namespace streamhost::host
