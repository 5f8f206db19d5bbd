// The runtime's HostServices: each plugin gets an sh_host_api whose log writes a structured line
// naming the plugin and whose observe_seconds/count feed the metrics registry labelled
// plugin="<name>" (streamhost_plugin_<metric>_seconds and streamhost_plugin_<metric>_total).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "metrics/registry.hpp"
#include "plugin/host_services.hpp"

namespace streamhost::host::runtime {

class PluginHostServices final : public HostServices {
 public:
  explicit PluginHostServices(metrics::Registry& registry) : registry_(registry) {}
  const sh_host_api* api_for(const std::string& plugin_name) override;

  // One plugin's state behind its sh_host_api::host_ctx. Public for the C callbacks only.
  struct PluginContext {
    std::string name;
    metrics::Registry* registry = nullptr;
    sh_host_api api{};
    std::shared_mutex mutex;  // guards the caches below; lookups take the shared side
    std::map<std::string, metrics::Histogram*> histograms;
    std::map<std::string, metrics::Counter*> counters;
  };

 private:
  metrics::Registry& registry_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<PluginContext>> contexts_;
};

}  // namespace streamhost::host::runtime
