// Errors a connector raises to the host. The host's policy depends only on which one it gets.
#pragma once

#include <stdexcept>
#include <string>

namespace streamhost::connector {

// The proxy (or the network to it) is unavailable for now: the host pauses and tries again later.
struct TransientError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The request can never succeed as configured (bad credentials, unknown group, 4xx other than 404
// on an instance): the host stops with this message, which carries the proxy's own words.
struct PermanentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace streamhost::connector
