// Reading a pipeline manifest: YAML -> ${VAR} interpolation -> schema check -> Manifest.
// Every problem found is reported at once, each as "<file>:<line>: <key path>: <message>".
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "manifest/interpolate.hpp"
#include "manifest/manifest.hpp"

namespace streamhost::host {

class ManifestError : public std::runtime_error {
 public:
  explicit ManifestError(std::vector<std::string> messages);
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::vector<std::string> messages_;
};

// Reads and checks the manifest at `path`. Throws ManifestError.
Manifest load_manifest(const std::string& path, const EnvLookup& env = process_env());

// The same for manifest text; `source_path` names it in messages and anchors relative library
// paths (its folder).
Manifest parse_manifest(const std::string& yaml_text, const std::string& source_path,
                        const EnvLookup& env = process_env());

}  // namespace streamhost::host
