// The plugins a manifest names: each library loaded and its config checked, every route resolved
// to a handler, and the live instances a pipeline runs (with plugin/loader.hpp doing the work for
// each plugin). Here rather than in plugin/, so the plugin boundary the SDK's test harness shares
// knows nothing of manifests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "manifest/manifest.hpp"
#include "plugin/loader.hpp"

namespace streamhost::host {

// The manifest's plugins loaded and config-checked, without instances (for `validate`).
struct LoadedPlugin {
  std::string name;  // the manifest's name
  PluginLibrary library;
  std::string config_json;    // validated and type-converted
  std::string check_summary;  // what the plugin's config check reported (validate prints it)
};

// Loads every plugin of the manifest, validates each config and resolves every route's handler
// against the descriptors; a route without an output_topic whose handler emits to it is an error.
// Collects all problems and throws one PluginError listing them (one per line).
std::vector<LoadedPlugin> load_manifest_plugins(const Manifest& manifest);

// What a pipeline runs: live instances and each route's handler.
struct PluginSet {
  std::vector<std::unique_ptr<PluginInstance>> instances;  // manifest order
  std::vector<HandlerRef> route_handlers;  // route_handlers[i] serves manifest.routes[i]
};

// Creates an instance of each plugin load_manifest_plugins() resolved for `manifest` and binds each
// route to its handler. Instances already created are destroyed again when a later one fails.
PluginSet create_plugins(const Manifest& manifest, const std::vector<LoadedPlugin>& loaded,
                         HostServices& services);

}  // namespace streamhost::host
