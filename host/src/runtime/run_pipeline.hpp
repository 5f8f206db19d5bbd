// Entry point of `streamhost run`: runs a validated manifest until SIGTERM/SIGINT or a FATAL
// handler.
#pragma once

#include "manifest/manifest.hpp"

namespace streamhost::host {

// Loads and creates the manifest's plugins, connects the source and sink (unless testing mode
// without Kafka), serves the admin endpoint, and processes records until stopped. Returns the
// process exit code: 0 after a graceful stop, non-zero after a FATAL status or a start-up failure
// (the message is logged to stderr first).
int run_pipeline(const Manifest& manifest);

}  // namespace streamhost::host
