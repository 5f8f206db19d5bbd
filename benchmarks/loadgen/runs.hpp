// The two scenarios of streamhost-loadgen. Each returns the process exit code.
#pragma once

#include "options.hpp"

namespace streamhost::loadgen {

// The measured run: progress on stderr once a second, a summary on stdout, the JSON report and
// the latency picture when asked. 0 when every focus event was answered, 1 otherwise.
int run_load(const Options& options);

// A few customers entering and focusing on departments; prints the predictions as a table.
// 0 when every focus event produced results within the timeout, 1 otherwise (naming which).
int run_demo(const Options& options);

}  // namespace streamhost::loadgen
