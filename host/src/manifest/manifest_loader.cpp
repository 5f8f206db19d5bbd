#include "manifest/manifest_loader.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "config_check/schema_conform.hpp"
#include "manifest/manifest_mapper.hpp"
#include "manifest/manifest_schema.hpp"
#include "manifest/utf8.hpp"
#include "manifest/yaml_to_json.hpp"

namespace streamhost::host {
namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

// A YAML alias repeats its anchor's node at every place it is used, so one mistake in that node
// is found once per place: the same message on the same line, at another path. It is told once,
// with the number of other places, not a thousand times.
[[noreturn]] void fail(const std::vector<Diagnostic>& errors, const std::string& file) {
  std::vector<std::string> messages;
  std::vector<size_t> repeats;
  std::map<std::pair<int, std::string>, size_t> told;  // (line, message) -> index in messages
  for (const Diagnostic& d : errors) {
    if (d.line > 0) {
      auto [at, first] = told.try_emplace({d.line, d.message}, messages.size());
      if (!first) {
        ++repeats[at->second];
        continue;
      }
    }
    messages.push_back(d.format(file));
    repeats.push_back(0);
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    if (repeats[i] > 0) {
      messages[i] += " (and " + std::to_string(repeats[i]) + " more " +
                     (repeats[i] == 1 ? "path" : "paths") + " from this line)";
    }
  }
  throw ManifestError(std::move(messages));
}

}  // namespace

ManifestError::ManifestError(std::vector<std::string> messages)
    : std::runtime_error(join_lines(messages)), messages_(std::move(messages)) {}

Manifest load_manifest(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ManifestError({path + ": cannot read the manifest file"});
  std::stringstream text;
  text << in.rdbuf();
  return parse_manifest(text.str(), path, env);
}

Manifest parse_manifest(const std::string& yaml_text, const std::string& source_path,
                        const EnvLookup& env) {
  if (const auto at = first_non_utf8(yaml_text)) {
    const auto line = 1 + std::count(yaml_text.begin(), yaml_text.begin() + *at, '\n');
    fail({Diagnostic{"", static_cast<int>(line),
                     "the manifest is not UTF-8 text (byte " + std::to_string(*at) + ")"}},
         source_path);
  }
  if (const auto misplaced = first_non_printable(yaml_text)) {
    const auto at = misplaced->offset;
    const auto line = 1 + std::count(yaml_text.begin(), yaml_text.begin() + at, '\n');
    const std::string name = code_point_name(misplaced->code_point);  // all are below U+10000
    fail({Diagnostic{"", static_cast<int>(line),
                     "the manifest holds the unprintable character " + name + " (byte " +
                         std::to_string(at) +
                         "); YAML allows it only as an escape in a double-quoted string: \"\\u" +
                         name.substr(2) + "\""}},
         source_path);
  }
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    fail({Diagnostic{"", e.mark.line >= 0 ? e.mark.line + 1 : 0, "invalid YAML: " + e.msg}},
         source_path);
  }
  if (!root.IsMap()) {
    fail({Diagnostic{"", 1, "the manifest must be a mapping (pipeline:, rest_proxy:, ...)"}},
         source_path);
  }

  YamlConversion converted = yaml_to_json(root, env);
  if (converted.limit_exceeded) fail(converted.errors, source_path);
  std::vector<Diagnostic> errors = converted.errors;
  std::vector<Diagnostic> schema_errors;
  conform_to_schema(converted.json, manifest_schema_json(), converted.json.GetAllocator(), "",
                    &converted.source, schema_errors);
  // A value whose variable is missing would only repeat the same problem as a type error.
  for (Diagnostic& d : schema_errors) {
    bool repeats = std::any_of(converted.errors.begin(), converted.errors.end(),
                               [&](const Diagnostic& e) { return e.path == d.path; });
    if (!repeats) errors.push_back(std::move(d));
  }
  if (errors.empty()) {
    if (auto d = validate_against_schema(converted.json, manifest_schema_json(), manifest_schema(),
                                         "", &converted.source)) {
      errors.push_back(*d);
    }
  }
  if (!errors.empty()) fail(errors, source_path);

  Manifest manifest = map_manifest(converted.json, converted.source, source_path, env, errors);
  if (!errors.empty()) fail(errors, source_path);
  rapidjson::StringBuffer effective;
  rapidjson::Writer<rapidjson::StringBuffer> writer(effective);
  converted.json.Accept(writer);
  manifest.effective_json = effective.GetString();
  return manifest;
}

}  // namespace streamhost::host
