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

#include <vector>

#include "manifest/diagnostic.hpp"
#include "manifest/interpolate.hpp"

namespace streamhost::host {

struct YamlConversion {
  rapidjson::Document json;
  SourceMap source;
  std::vector<Diagnostic> errors;  // missing variables, malformed references, unsupported YAML
};

YamlConversion yaml_to_json(const YAML::Node& root, const EnvLookup& env);

}  // namespace streamhost::host
