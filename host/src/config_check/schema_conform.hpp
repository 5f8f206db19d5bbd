// Checks a JSON value against a JSON Schema (draft-04) and explains failures by key path and line.
//
// Two passes, because RapidJSON 1.1's validator stops at the first failure and says only which
// keyword failed:
//   1. conform_to_schema() walks value and schema together. It converts scalars to the type the
//      schema asks for (a string "8" where an integer is expected becomes 8; a plain 1.10 where a
//      string is expected becomes "1.10"), and reports, all at once, what operators get wrong most:
//      unknown keys (additionalProperties: false), missing required keys, wrong types, values
//      outside an enum. It follows properties, additionalProperties and items; it ignores other
//      keywords.
//   2. validate_against_schema() runs RapidJSON's SchemaValidator for everything else (minimum,
//      pattern, minLength, ...), and turns its first failure into a Diagnostic.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include <optional>
#include <string>
#include <vector>

#include "config_check/diagnostic.hpp"

namespace streamhost::host {

// `path` is the display path of `value` ("plugins.coupon.config"); `source` may be null.
void conform_to_schema(rapidjson::Value& value, const rapidjson::Value& schema,
                       rapidjson::Document::AllocatorType& alloc, const std::string& path,
                       const SourceMap* source, std::vector<Diagnostic>& errors);

std::optional<Diagnostic> validate_against_schema(const rapidjson::Value& value,
                                                  const rapidjson::Document& schema_json,
                                                  const rapidjson::SchemaDocument& schema,
                                                  const std::string& path, const SourceMap* source);

// The display path of a JSON Pointer into `root`, after `base`: "/zones/1/radius" ->
// "<base>.zones[1].radius" (an index where `root` holds a list). `base` when the pointer is
// invalid.
std::string display_path_of(const rapidjson::Value& root, const std::string& pointer,
                            const std::string& base);

// A short human description of a JSON value for messages: "\"abc\"", "12", "a list", ...
std::string describe_json(const rapidjson::Value& value);

// describe_json() for a diagnostic about the value at `pointer` (a JSON pointer): withheld when a
// member on the way is a secret key, and redacted (common/redact) otherwise, so an error never
// repeats a password that failed a pattern.
std::string describe_at(const rapidjson::Value& value, const std::string& pointer);

}  // namespace streamhost::host
