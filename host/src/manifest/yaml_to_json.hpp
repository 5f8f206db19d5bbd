// Converts a parsed YAML tree to a RapidJSON document, interpolating ${VAR} in every scalar value.
//
// Types are inferred as YAML 1.2's core schema does, before any schema is consulted:
//   - quoted scalars ('x', "x") are strings;
//   - plain scalars true/false (also True/TRUE/False/FALSE) are booleans, integers are integers,
//     decimals are numbers, null/~/nothing is null, anything else is a string.
// Interpolation runs first, so `port: ${PORT:-8080}` is the integer 8080. The schema pass
// (schema_conform.hpp) later converts a scalar to the type its schema asks for, so "8080" quoted
// is accepted where an integer is expected and `version: 1.10` stays "1.10" where a string is.
#pragma once

#include <rapidjson/document.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <vector>

#include "config_check/diagnostic.hpp"
#include "manifest/interpolate.hpp"

namespace streamhost::host {

// Bounds on what a manifest may expand to once YAML aliases are followed (docs/manifest.md,
// "Limits"): a real manifest has a few hundred values, a few levels and a few KB of text.
inline constexpr size_t kManifestMaxDepth = 64;
inline constexpr size_t kManifestMaxValues = 10000;
inline constexpr size_t kManifestMaxExpandedBytes = 1u << 20;

struct YamlConversion {
  rapidjson::Document json;
  SourceMap source;
  std::vector<Diagnostic> errors;  // missing variables, malformed references, unsupported YAML
  // A limit above was passed (the reason is the last error) and `json` is null: nothing else in
  // the manifest was checked.
  bool limit_exceeded = false;
};

YamlConversion yaml_to_json(const YAML::Node& root, const EnvLookup& env);

}  // namespace streamhost::host
