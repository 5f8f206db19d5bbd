// dlopen and descriptor checks. Libraries are never dlclose'd: a plugin may have started threads or
// registered atexit handlers, and the descriptor must outlive every instance.
#include "plugin/loader.hpp"

#include <dlfcn.h>

#include <cstddef>
#include <regex>
#include <set>

namespace streamhost::host {
namespace {

std::string version_text(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

// The descriptor size every plugin of `major` must at least have (the fields of its x.0 release).
size_t min_descriptor_size(uint32_t major) {
  return major == 1 ? kMinDescriptorSizeV1 : SIZE_MAX;
}

}  // namespace

void check_plugin_descriptor(const std::string& path, const sh_plugin_descriptor& d) {
  auto fail = [&](const std::string& why) { throw PluginError(path + ": " + why); };
  constexpr size_t kVersionEnd = offsetof(sh_plugin_descriptor, abi_minor) + sizeof(uint32_t);
  if (d.struct_size < kVersionEnd) {
    fail("descriptor struct_size is " + std::to_string(d.struct_size) +
         " bytes, too small to hold an ABI version");
  }
  std::string host_version = version_text(kHostAbiMajor, kHostAbiMinor);
  std::string plugin_version = version_text(d.abi_major, d.abi_minor);
  if (d.abi_major != kHostAbiMajor) {
    fail("plugin built against ABI " + plugin_version + ", host supports " + host_version +
         " (rebuild the plugin against this host's plugin_api.h)");
  }
  if (d.abi_minor > kHostAbiMinor) {
    fail("plugin built against ABI " + plugin_version + ", host supports " + host_version +
         " (upgrade the host, or rebuild the plugin against this host's plugin_api.h)");
  }
  if (d.struct_size < min_descriptor_size(d.abi_major)) {
    fail("descriptor struct_size is " + std::to_string(d.struct_size) + " bytes, ABI " +
         plugin_version + " needs at least " + std::to_string(min_descriptor_size(d.abi_major)));
  }
  static const std::regex kName("[a-z0-9_-]+");
  if (d.name == nullptr || d.name[0] == '\0') fail("the descriptor's name is empty");
  std::string name = d.name;
  if (!std::regex_match(name, kName)) {
    fail("plugin name \"" + name + "\" must be lower-case letters, digits, '_' or '-'");
  }
  std::string plugin = "plugin \"" + name + "\" ";
  if (d.instance_create == nullptr) fail(plugin + "has no instance_create function");
  if (d.handlers == nullptr || d.handler_count == 0) fail(plugin + "declares no handlers");
  std::set<std::string> seen;
  for (size_t i = 0; i < d.handler_count; ++i) {
    const sh_handler_def& h = d.handlers[i];
    if (h.name == nullptr || h.name[0] == '\0') {
      fail(plugin + "handler #" + std::to_string(i) + " has no name");
    }
    std::string handler = h.name;
    if (!std::regex_match(handler, kName)) {
      fail(plugin + "handler name \"" + handler +
           "\" must be lower-case letters, digits, '_' or '-'");
    }
    if (h.process == nullptr) fail(plugin + "handler \"" + handler + "\" has no process function");
    if (!seen.insert(handler).second) fail(plugin + "declares handler \"" + handler + "\" twice");
  }
}

PluginLibrary load_plugin_library(const std::string& path) {
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    throw PluginError(path + ": cannot load the library: " + (why ? why : "unknown dlopen error"));
  }
  void* symbol = dlsym(handle, SH_PLUGIN_DESCRIPTOR_SYMBOL);
  if (symbol == nullptr) {
    throw PluginError(path + ": no \"" SH_PLUGIN_DESCRIPTOR_SYMBOL
                             "\" symbol, so not a streamhost plugin (declare one with "
                             "STREAMHOST_PLUGIN and build it with streamhost_add_plugin)");
  }
  auto describe = reinterpret_cast<sh_plugin_descriptor_fn>(symbol);
  const sh_plugin_descriptor* descriptor = describe();
  if (descriptor == nullptr)
    throw PluginError(path + ": " SH_PLUGIN_DESCRIPTOR_SYMBOL "() returned NULL");
  check_plugin_descriptor(path, *descriptor);
  return PluginLibrary{path, descriptor};
}

const sh_handler_def& find_handler_or_throw(const sh_plugin_descriptor& descriptor,
                                            const std::string& plugin_name,
                                            const std::string& handler) {
  std::string available;
  for (size_t i = 0; i < descriptor.handler_count; ++i) {
    if (handler == descriptor.handlers[i].name) return descriptor.handlers[i];
    available += (i == 0 ? "" : ", ") + std::string(descriptor.handlers[i].name);
  }
  throw PluginError("plugin \"" + plugin_name + "\" has no handler \"" + handler +
                    "\" (its handlers: " + available + ")");
}

}  // namespace streamhost::host
