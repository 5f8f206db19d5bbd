// Entry point of `streamhost run`: runs a validated manifest until SIGTERM/SIGINT or a FATAL
// handler.
#pragma once

#include <vector>

#include "manifest/manifest.hpp"
#include "manifest/plugin_set.hpp"

namespace streamhost::host {

// Creates the instances of `plugins` (the manifest's, as load_manifest_plugins resolved them),
// connects the source and sink (unless testing mode without Kafka), serves the admin endpoint, and
// processes records until stopped. Returns the process exit code: 0 after a graceful stop, non-zero
// after a FATAL status or a start-up failure (the message is logged to stderr first).
// The process's last act: once the stop begins, whatever holds it (a handler that never returns,
// a plugin's destructor) ends the process with exit code 1 after shutdown_timeout plus 5 s.
int run_pipeline(const Manifest& manifest, const std::vector<LoadedPlugin>& plugins);

}  // namespace streamhost::host
