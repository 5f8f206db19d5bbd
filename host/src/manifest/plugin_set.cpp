#include "manifest/plugin_set.hpp"

#include <map>

namespace streamhost::host {
namespace {

std::string in_manifest(const Manifest& manifest, const std::string& message) {
  return manifest.source_path.empty() ? message : manifest.source_path + ": " + message;
}

}  // namespace

std::vector<LoadedPlugin> load_manifest_plugins(const Manifest& manifest) {
  std::vector<LoadedPlugin> loaded;
  std::vector<std::string> errors;
  // Routes are resolved even against a plugin whose config is wrong, so one run shows every
  // problem.
  std::map<std::string, PluginLibrary> by_name;
  for (const PluginSpec& spec : manifest.plugins) {
    PluginLibrary library;
    try {
      library = load_plugin_library(spec.library);
      by_name[spec.name] = library;
    } catch (const PluginError& e) {
      errors.push_back(in_manifest(manifest, e.what()));
      continue;
    }
    try {
      // Located by the manifest's own file, lines and ${VAR}s, like the manifest's errors.
      std::string summary;
      std::string config =
          validate_plugin_config(library, spec.name, spec.config_json,
                                 ConfigOrigin{manifest.source_path, &spec.config_source}, &summary);
      loaded.push_back(LoadedPlugin{spec.name, library, std::move(config), std::move(summary)});
    } catch (const PluginError& e) {
      errors.push_back(e.what());
    }
  }
  for (size_t i = 0; i < manifest.routes.size(); ++i) {
    const RouteSpec& route = manifest.routes[i];
    std::string where = "routes[" + std::to_string(i) + "].handler: ";
    auto it = by_name.find(route.plugin);
    // The manifest mapper refused routes naming undeclared plugins (ManifestErrors tests it), so a
    // plugin missing here failed to load and is reported above.
    if (it == by_name.end()) continue;
    try {
      const sh_handler_def& h =
          find_handler_or_throw(it->second.handlers, route.plugin, route.handler);
      // Caught here, by `validate`, rather than by the first record the handler emits.
      if (h.emits == SH_EMITS_TO_OUTPUT_TOPIC && !route.output_topic) {
        errors.push_back(in_manifest(manifest, "routes[" + std::to_string(i) + "]: handler " +
                                                   route.plugin + "/" + route.handler +
                                                   " emits to the route's output topic, but the "
                                                   "route has no output_topic"));
      }
    } catch (const PluginError& e) {
      errors.push_back(in_manifest(manifest, where + e.what()));
    }
  }
  if (!errors.empty()) {
    std::string all;
    for (const std::string& e : errors) all += (all.empty() ? "" : "\n") + e;
    throw PluginError(all);
  }
  return loaded;
}

PluginSet create_plugins(const Manifest& manifest, const std::vector<LoadedPlugin>& loaded,
                         HostServices& services) {
  PluginSet set;
  std::map<std::string, const PluginInstance*> by_name;
  for (const LoadedPlugin& p : loaded) {
    try {
      set.instances.push_back(create_plugin_instance(p.library, p.name, p.config_json, services));
    } catch (const PluginError& e) {
      throw PluginError(in_manifest(manifest, e.what()));
    }
    by_name[p.name] = set.instances.back().get();
  }
  for (const RouteSpec& route : manifest.routes) {
    const PluginInstance* instance = by_name.at(route.plugin);
    set.route_handlers.push_back(HandlerRef{instance, instance->find_handler(route.handler)});
  }
  return set;
}

}  // namespace streamhost::host
