// Plugin configs are checked with the same two passes as the manifest (schema_conform.hpp), so a
// plugin author's schema gets the same type conversion and the same messages, located by key path,
// manifest line and ${VAR} like the manifest's own.
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstring>
#include <string_view>

#include "config_check/schema_conform.hpp"
#include "plugin/descriptor_read.hpp"
#include "plugin/loader.hpp"

namespace streamhost::host {
namespace {

// The plugin's config_check reply as diagnostics. A line "<JSON Pointer>\t<message>" (what the
// SDK's ConfigErrors writes) is located at that pointer; any other text is one problem of the
// config as a whole, as plugins built before ConfigErrors report it.
std::vector<Diagnostic> check_reply_diagnostics(std::string_view reply,
                                                const rapidjson::Value& config,
                                                const std::string& path, const SourceMap* source) {
  std::vector<Diagnostic> out;
  auto whole = [&](std::string message) {
    out.push_back(Diagnostic{path, source ? source->line_of("") : 0, std::move(message)});
  };
  if (reply.empty()) {
    whole("refused by the plugin");
    return out;
  }
  const bool located = reply.front() == '/' || reply.front() == '\t';
  if (!located) {
    whole(std::string(reply));
    return out;
  }
  while (!reply.empty()) {
    const size_t end = reply.find('\n');
    std::string_view line = reply.substr(0, end);
    reply = end == std::string_view::npos ? std::string_view() : reply.substr(end + 1);
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      whole(std::string(line));
      continue;
    }
    const std::string pointer(line.substr(0, tab));
    std::string message(line.substr(tab + 1));
    if (source != nullptr) message += source->variables_note(pointer);
    out.push_back(Diagnostic{display_path_of(config, pointer, path),
                             source ? source->line_of(pointer) : 0, std::move(message)});
  }
  return out;
}

}  // namespace

std::string validate_plugin_config(const PluginLibrary& library, const std::string& plugin_name,
                                   const std::string& config_json, const ConfigOrigin& origin,
                                   std::string* summary) {
  const sh_plugin_descriptor d = read_descriptor(*library.descriptor);
  std::string who = "plugin \"" + plugin_name + "\" (" + library.path + ")";
  std::string path = "plugins." + plugin_name + ".config";
  const SourceMap* source = origin.source;
  auto fail = [&](std::vector<Diagnostic> errors) -> PluginError {
    return PluginError(join_diagnostics(errors, origin.file));
  };
  auto fail_one = [&](std::string message) -> PluginError {
    return fail({Diagnostic{"", 0, std::move(message)}});
  };

  rapidjson::Document config;
  config.Parse(config_json);
  if (config.HasParseError() || !config.IsObject()) {
    throw fail(
        {Diagnostic{path, source ? source->line_of("") : 0, "the config must be a JSON object"}});
  }
  if (d.config_schema_json != nullptr) {
    rapidjson::Document schema_json;
    schema_json.Parse(d.config_schema_json);
    if (schema_json.HasParseError()) {
      throw fail_one(who + ": its config schema is not valid JSON: " +
                     rapidjson::GetParseError_En(schema_json.GetParseError()) + " (offset " +
                     std::to_string(schema_json.GetErrorOffset()) + ")");
    }
    if (!schema_json.IsObject()) throw fail_one(who + ": its config schema is not a JSON object");

    std::vector<Diagnostic> errors;
    conform_to_schema(config, schema_json, config.GetAllocator(), path, source, errors);
    if (errors.empty()) {
      rapidjson::SchemaDocument schema(schema_json);
      if (auto d2 = validate_against_schema(config, schema_json, schema, path, source)) {
        errors.push_back(*d2);
      }
    }
    if (!errors.empty()) throw fail(std::move(errors));
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  config.Accept(writer);
  std::string validated = buffer.GetString();
  // ABI 1.1: the plugin's own checks (files the config names, ...). read_descriptor() leaves it
  // NULL for a 1.0 descriptor, which ends before the field.
  if (d.abi_minor >= 1 && d.config_check != nullptr) {
    std::string why(16384, '\0');
    if (d.config_check(validated.c_str(), why.data(), why.size()) != 1) {
      why.resize(std::strlen(why.c_str()));
      throw fail(check_reply_diagnostics(why, config, path, source));
    }
    // A reply on success means a summary only from ABI 1.3 on: an older plugin may have left
    // anything there, which meant nothing then.
    if (summary && d.abi_minor >= 3) *summary = why.c_str();  // up to the NUL the plugin wrote
  }
  return validated;
}

}  // namespace streamhost::host
