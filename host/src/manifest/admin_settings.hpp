// The admin endpoint's address and token settings of a manifest, read without the rest of it:
// what `streamhost status`, `pause` and `resume -f MANIFEST` need to find a running host. The
// pipeline's other variables (topics, database password, ...) belong to the host's environment,
// not the operator's shell, so only the ones under `admin:` must be set here.
#pragma once

#include <string>

#include "manifest/interpolate.hpp"
#include "manifest/manifest.hpp"

namespace streamhost::host {

// admin.bind, port, token_file and token_env of the manifest at `path` (defaults for what it
// leaves out). Throws ManifestError for unreadable YAML, or for an unset variable or a bad value
// under `admin:`, each message with its file, line and key; problems elsewhere are ignored.
AdminSpec read_admin_settings(const std::string& path, const EnvLookup& env = process_env());

}  // namespace streamhost::host
