// Loading plugin libraries and creating their instances.
//
// Three steps, each usable alone:
//   load_plugin_library()   dlopen + descriptor checks (ABI version, struct size, handlers); no
//                           instance is created, so `streamhost validate` and `plugins inspect` use
//                           it.
//   validate_plugin_config() the manifest's config object against the plugin's config JSON Schema.
//   create_plugin_instance() instance_create, with the plugin's own error message on failure.
// manifest/plugin_set.hpp does all three for a manifest's plugins.
// Every failure throws PluginError whose what() is a complete, operator-facing message.
#pragma once

#include <streamhost/plugin_api.h>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config_check/diagnostic.hpp"
#include "plugin/host_services.hpp"
#include "plugin/plugin_handle.hpp"

namespace streamhost::host {

class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The ABI this host was compiled against; a plugin must have the same major and a minor <= this.
inline constexpr uint32_t kHostAbiMajor = SH_PLUGIN_ABI_MAJOR;
inline constexpr uint32_t kHostAbiMinor = SH_PLUGIN_ABI_MINOR;

// The smallest descriptor the host accepts for ABI major 1: every field of ABI 1.0, whose last
// field is handler_count. Fields appended by later minors do not raise it.
inline constexpr size_t kMinDescriptorSizeV1 =
    offsetof(sh_plugin_descriptor, handler_count) + sizeof(size_t);
// From ABI 1.2 the descriptor must also hold handler_def_size, the stride of its handler array.
inline constexpr size_t kMinDescriptorSizeV1_2 =
    offsetof(sh_plugin_descriptor, handler_def_size) + sizeof(size_t);

// A library whose descriptor passed every check. The library is never unloaded, so `descriptor`
// stays valid for the life of the process. `descriptor` is the plugin's own struct: read its
// fields past ABI 1.0 through read_descriptor() (plugin/descriptor_read.hpp).
struct PluginLibrary {
  std::string path;
  const sh_plugin_descriptor* descriptor = nullptr;
  // The plugin's handlers in the host's layout (read with the plugin's handler_def_size).
  std::vector<sh_handler_def> handlers;
};

// dlopens `path` (RTLD_NOW | RTLD_LOCAL) and checks its descriptor. Throws PluginError
// ("<path>: <what is wrong>").
PluginLibrary load_plugin_library(const std::string& path);

// The checks load_plugin_library() applies to a descriptor (ABI version, struct sizes, name,
// handlers and, from ABI 1.2, where each handler emits). Throws PluginError ("<path>: <what is
// wrong>").
void check_plugin_descriptor(const std::string& path, const sh_plugin_descriptor& descriptor);

// Where a plugin's config was written: the manifest file and the lines and ${VAR}s of its values
// (SourceMap::below() of the plugin's config), so each problem names its file and line.
struct ConfigOrigin {
  std::string file;                   // empty: messages name no file
  const SourceMap* source = nullptr;  // null: messages name no line
};

// Checks `config_json` (a JSON object text) against the plugin's config_schema_json, then runs the
// plugin's config_check, and returns the config to hand to instance_create: scalars the schema
// wants as another type are converted ("8" -> 8 where an integer is expected). `plugin_name` is the
// manifest's name, for messages. Throws PluginError listing every problem found, one per line, each
// as "<file>:<line>: plugins.<name>.config.<key path>: <what>" (file and line when `origin` has
// them). A config_check reply in ConfigErrors' line format ("<pointer>\t<message>") is located
// the same way. `summary`, when given, receives what an ABI 1.3 plugin's config_check reported on
// success (empty when it reported nothing, or the plugin is older: see plugin_api.h).
std::string validate_plugin_config(const PluginLibrary& library, const std::string& plugin_name,
                                   const std::string& config_json, const ConfigOrigin& origin = {},
                                   std::string* summary = nullptr);

// Calls instance_create with an already validated config. Throws PluginError carrying the plugin's
// errbuf message.
std::unique_ptr<PluginInstance> create_plugin_instance(const PluginLibrary& library,
                                                       const std::string& plugin_name,
                                                       const std::string& validated_config_json,
                                                       HostServices& services);

// Finds `handler` among a loaded plugin's handlers (PluginLibrary::handlers); throws PluginError
// listing the available ones.
const sh_handler_def& find_handler_or_throw(const std::vector<sh_handler_def>& handlers,
                                            const std::string& plugin_name,
                                            const std::string& handler);

// "nothing", "to the output topic", "to named topics" or "undeclared", for messages and inspect.
std::string describe_emits(uint32_t emits);

}  // namespace streamhost::host
