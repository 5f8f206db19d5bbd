// dlopen and descriptor checks. Libraries are never dlclose'd: a plugin may have started threads or
// registered atexit handlers, and the descriptor must outlive every instance.
#include "plugin/loader.hpp"

#include <dlfcn.h>

#include <cstddef>
#include <set>

#include "plugin/descriptor_read.hpp"
#include "plugin/plugin_name.hpp"

namespace streamhost::host {
namespace {

std::string version_text(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

// The descriptor size a plugin of ABI major.minor must at least have: the fields of its x.0
// release, plus from 1.2 on the handler_def_size that says how to walk its handlers.
size_t min_descriptor_size(uint32_t major, uint32_t minor) {
  if (major != 1) return SIZE_MAX;
  return minor >= 2 ? kMinDescriptorSizeV1_2 : kMinDescriptorSizeV1;
}

const char* emits_name(uint32_t emits) {
  switch (emits) {
    case SH_EMITS_NOTHING:
      return "nothing";
    case SH_EMITS_TO_OUTPUT_TOPIC:
      return "to the output topic";
    case SH_EMITS_TO_NAMED_TOPICS:
      return "to named topics";
    default:
      return "undeclared";
  }
}

}  // namespace

std::string describe_emits(uint32_t emits) {
  return emits_name(emits);
}

void check_plugin_descriptor(const std::string& path, const sh_plugin_descriptor& raw) {
  auto fail = [&](const std::string& why) { throw PluginError(path + ": " + why); };
  constexpr size_t kVersionEnd = offsetof(sh_plugin_descriptor, abi_minor) + sizeof(uint32_t);
  if (raw.struct_size < kVersionEnd) {
    fail("descriptor struct_size is " + std::to_string(raw.struct_size) +
         " bytes, too small to hold an ABI version");
  }
  const sh_plugin_descriptor d = read_descriptor(raw);
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
  const size_t min_size = min_descriptor_size(d.abi_major, d.abi_minor);
  if (d.struct_size < min_size) {
    fail("descriptor struct_size is " + std::to_string(d.struct_size) + " bytes, ABI " +
         plugin_version + " needs at least " + std::to_string(min_size));
  }
  if (d.abi_minor >= 2 && d.handler_def_size < kHandlerDefSizeV1) {
    fail("descriptor handler_def_size is " + std::to_string(d.handler_def_size) +
         " bytes, too small for a handler's name, description and process function");
  }
  // The stride is read from the plugin: a garbage value must not send the host reading far past
  // the array.
  if (d.abi_minor >= 2 && d.handler_def_size > kMaxHandlerDefSize) {
    fail("descriptor handler_def_size is " + std::to_string(d.handler_def_size) +
         " bytes, more than the " + std::to_string(kMaxHandlerDefSize) +
         " a handler definition may take");
  }
  if (d.name == nullptr || d.name[0] == '\0') fail("the descriptor's name is empty");
  std::string name = d.name;
  if (!is_plugin_name(name)) {
    fail("plugin name \"" + name + "\" must be " + std::string(kPluginNameRule));
  }
  std::string plugin = "plugin \"" + name + "\" ";
  if (d.instance_create == nullptr) fail(plugin + "has no instance_create function");
  if (d.handlers == nullptr || d.handler_count == 0) fail(plugin + "declares no handlers");
  std::set<std::string> seen;
  const std::vector<sh_handler_def> handlers = read_handlers(raw);
  for (size_t i = 0; i < handlers.size(); ++i) {
    const sh_handler_def& h = handlers[i];
    if (h.name == nullptr || h.name[0] == '\0') {
      fail(plugin + "handler #" + std::to_string(i) + " has no name");
    }
    std::string handler = h.name;
    if (!is_plugin_name(handler)) {
      fail(plugin + "handler name \"" + handler + "\" must be " + std::string(kPluginNameRule));
    }
    if (h.process == nullptr) fail(plugin + "handler \"" + handler + "\" has no process function");
    if (!seen.insert(handler).second) fail(plugin + "declares handler \"" + handler + "\" twice");
    // From ABI 1.2 a handler says where it emits, so routes are checked before the first record.
    if (d.abi_minor >= 2 && (h.emits < SH_EMITS_NOTHING || h.emits > SH_EMITS_TO_NAMED_TOPICS)) {
      fail(plugin + "handler \"" + handler + "\" does not declare where it emits (emits is " +
           std::to_string(h.emits) + "; ABI 1.2 needs one of SH_EMITS_NOTHING, " +
           "SH_EMITS_TO_OUTPUT_TOPIC, SH_EMITS_TO_NAMED_TOPICS)");
    }
  }
}

PluginLibrary load_plugin_library(const std::string& path) {
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = dlerror();
    std::string why = error != nullptr ? error : "unknown dlopen error";
    // dlerror() starts with the path itself ("<path>: cannot open shared object file"), which the
    // message already begins with.
    if (why.starts_with(path + ": ")) why.erase(0, path.size() + 2);
    throw PluginError(path + ": cannot load the library: " + why);
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
  return PluginLibrary{path, descriptor, read_handlers(*descriptor)};
}

const sh_handler_def& find_handler_or_throw(const std::vector<sh_handler_def>& handlers,
                                            const std::string& plugin_name,
                                            const std::string& handler) {
  std::string available;
  for (size_t i = 0; i < handlers.size(); ++i) {
    if (handler == handlers[i].name) return handlers[i];
    available += (i == 0 ? "" : ", ") + std::string(handlers[i].name);
  }
  throw PluginError("plugin \"" + plugin_name + "\" has no handler \"" + handler +
                    "\" (its handlers: " + available + ")");
}

}  // namespace streamhost::host
