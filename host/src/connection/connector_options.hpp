// The manifest's rest_proxy and consumer settings as the REST proxy connector takes them. The
// manifest keeps settings of its own so that it depends on no connector; this is the one place
// they meet.
#pragma once

#include <streamhost/connector/rest_proxy.hpp>

#include "manifest/manifest.hpp"

namespace streamhost::host {

struct ConnectorOptions {
  connector::RestProxyOptions proxy;
  connector::ConsumerOptions consumer;
};

// Every field the manifest sets is copied; the connector's options the manifest does not expose
// keep the connector's defaults.
ConnectorOptions connector_options(const Manifest& manifest);

}  // namespace streamhost::host
