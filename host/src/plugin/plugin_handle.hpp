// What the runtime needs from a loaded plugin: its descriptor, its live instance and its handlers.
// The loader (plugin/loader.*) produces these; the runtime only calls handlers through them.
#pragma once

#include <streamhost/plugin_api.h>

#include <memory>
#include <string>

namespace streamhost::host {

// One created plugin instance. Destroys the instance on destruction; the library stays loaded for
// the life of the process (plugins are never unloaded).
class PluginInstance {
 public:
  virtual ~PluginInstance() = default;
  virtual const std::string& name() const = 0;     // the manifest's name for it
  virtual const sh_plugin_descriptor& descriptor() const = 0;
  virtual void* instance() const = 0;              // what instance_create returned
  // Returns the handler named `handler`, or nullptr.
  virtual const sh_handler_def* find_handler(const std::string& handler) const = 0;
  // True when the instance's dependencies answer; `why` says what does not.
  virtual bool ready(std::string& why) const = 0;
};

// A route's resolved handler: the runtime's unit of work.
struct HandlerRef {
  const PluginInstance* plugin = nullptr;
  const sh_handler_def* handler = nullptr;
};

}  // namespace streamhost::host
