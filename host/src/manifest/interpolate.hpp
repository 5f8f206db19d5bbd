// ${VAR} interpolation of manifest scalar values.
//
//   ${NAME}            the variable's value; a missing variable is an error
//   ${NAME:-default}   the value, or `default` when the variable is unset or empty (as in sh)
//   $${                a literal "${"
// NAME is [A-Za-z_][A-Za-z0-9_]*. A default is taken literally (no nesting). Anything else
// containing "${" that is not a well-formed reference is an error, so typos do not pass silently.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace streamhost::host {

// Returns a variable's value, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
EnvLookup process_env();

struct InterpolationResult {
  std::string value;
  std::vector<std::string> missing;  // names of required variables that were not set
  std::string error;                 // a malformed reference; empty when none
  std::vector<std::string> used;     // the references the value came from, "${NAME}" as written
};

InterpolationResult interpolate(std::string_view text, const EnvLookup& env);

}  // namespace streamhost::host
