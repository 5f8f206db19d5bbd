// The services the host hands each plugin instance (logging, metrics) as the C sh_host_api.
// The runtime implements it over its metrics registry; `validate` and tests can use a logging-only one.
#pragma once

#include <streamhost/plugin_api.h>

#include <string>

namespace streamhost::host {

class HostServices {
 public:
  virtual ~HostServices() = default;
  // The sh_host_api for the plugin the manifest calls `plugin_name`. The returned pointer stays valid
  // for the life of this HostServices object.
  virtual const sh_host_api* api_for(const std::string& plugin_name) = 0;
};

}  // namespace streamhost::host
