#include <cstring>

#include "plugin/loader.hpp"

namespace streamhost::host {
namespace {

class LoadedPluginInstance final : public PluginInstance {
 public:
  LoadedPluginInstance(std::string name, const sh_plugin_descriptor& descriptor,
                       std::vector<sh_handler_def> handlers, void* instance)
      : name_(std::move(name)),
        descriptor_(descriptor),
        handlers_(std::move(handlers)),
        instance_(instance) {}

  ~LoadedPluginInstance() override {
    if (descriptor_.instance_destroy != nullptr) descriptor_.instance_destroy(instance_);
  }

  const std::string& name() const override { return name_; }
  const sh_plugin_descriptor& descriptor() const override { return descriptor_; }
  void* instance() const override { return instance_; }

  const sh_handler_def* find_handler(const std::string& handler) const override {
    for (const sh_handler_def& h : handlers_) {
      if (handler == h.name) return &h;
    }
    return nullptr;
  }

  bool ready(std::string& why) const override {
    if (descriptor_.instance_ready == nullptr) return true;
    char msg[512] = {};
    if (descriptor_.instance_ready(instance_, msg, sizeof msg) == 1) return true;
    msg[sizeof msg - 1] = '\0';  // a plugin that forgot the terminator must not overrun
    why = msg[0] != '\0' ? msg : "not ready (the plugin gave no reason)";
    return false;
  }

 private:
  std::string name_;
  const sh_plugin_descriptor& descriptor_;
  std::vector<sh_handler_def> handlers_;  // host layout; find_handler() hands out pointers into it
  void* instance_;
};

}  // namespace

std::unique_ptr<PluginInstance> create_plugin_instance(const PluginLibrary& library,
                                                       const std::string& plugin_name,
                                                       const std::string& validated_config_json,
                                                       HostServices& services) {
  const sh_plugin_descriptor& d = *library.descriptor;
  std::string who = "plugin \"" + plugin_name + "\" (" + library.path + ")";
  char errbuf[1024] = {};
  void* instance = nullptr;
  try {
    instance = d.instance_create(services.api_for(plugin_name), validated_config_json.c_str(),
                                 errbuf, sizeof errbuf);
  } catch (...) {
    // The ABI forbids exceptions here; a plugin that lets one escape still gets a clear message.
    throw PluginError(who + ": instance_create threw an exception across the C ABI");
  }
  errbuf[sizeof errbuf - 1] = '\0';
  if (instance == nullptr) {
    throw PluginError(who + ": instance_create failed: " +
                      (errbuf[0] != '\0' ? std::string(errbuf) : "(the plugin gave no message)"));
  }
  return std::make_unique<LoadedPluginInstance>(plugin_name, d, library.handlers, instance);
}

}  // namespace streamhost::host
