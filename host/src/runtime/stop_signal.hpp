// SIGTERM/SIGINT turn into a flag the runtime polls; the handler itself does nothing else
// (only async-signal-safe work belongs there).
#pragma once

namespace streamhost::host::runtime {

// Installs the handlers (idempotent) and clears the flag.
void install_stop_signal_handlers();
bool stop_signal_received();

}  // namespace streamhost::host::runtime
