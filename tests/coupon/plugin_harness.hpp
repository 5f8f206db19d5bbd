// Loads libstreamhost_coupon.so the way the host does (dlopen + the descriptor) and drives its
// handlers with a recording host, so integration tests exercise the real plugin boundary.
#pragma once

#include <dlfcn.h>
#include <streamhost/plugin_api.h>

#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace streamhost::coupon::testing {

struct Emitted {
  std::string key;
  std::string value;
};

struct HandlerResult {
  sh_status status = SH_STATUS_OK;
  std::string reason;
  std::vector<Emitted> emitted;
};

class RecordingHost {
 public:
  RecordingHost() {
    api_.struct_size = sizeof api_;
    api_.host_ctx = this;
    api_.log = [](void* ctx, sh_log_level, const char* message) {
      auto* self = static_cast<RecordingHost*>(ctx);
      std::lock_guard lock(self->mutex_);
      self->logs.emplace_back(message);
    };
    api_.observe_seconds = [](void* ctx, const char* name, double) {
      auto* self = static_cast<RecordingHost*>(ctx);
      std::lock_guard lock(self->mutex_);
      ++self->observations[name];
    };
    api_.count = [](void* ctx, const char* name, uint64_t delta) {
      auto* self = static_cast<RecordingHost*>(ctx);
      std::lock_guard lock(self->mutex_);
      self->counters[name] += delta;
    };
  }
  const sh_host_api* api() const { return &api_; }

  std::vector<std::string> logs;
  std::map<std::string, int> observations;
  std::map<std::string, uint64_t> counters;

 private:
  sh_host_api api_{};
  std::mutex mutex_;
};

class CouponPluginHarness {
 public:
  // Throws std::runtime_error with the plugin's message when the library or instance fails.
  CouponPluginHarness(const std::string& library_path, const std::string& config_json) {
    library_ = dlopen(library_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library_) throw std::runtime_error(std::string("dlopen: ") + dlerror());
    auto fn =
        reinterpret_cast<sh_plugin_descriptor_fn>(dlsym(library_, SH_PLUGIN_DESCRIPTOR_SYMBOL));
    if (!fn) throw std::runtime_error("no descriptor symbol");
    descriptor_ = fn();
    char err[512] = {0};
    instance_ = descriptor_->instance_create(host_.api(), config_json.c_str(), err, sizeof err);
    if (!instance_) throw std::runtime_error(std::string("instance_create: ") + err);
  }
  ~CouponPluginHarness() {
    if (instance_) descriptor_->instance_destroy(instance_);
    // The library stays loaded, as in the host (plugins are never unloaded).
  }

  HandlerResult call(const std::string& handler, const std::string& value) {
    const sh_handler_def* def = nullptr;
    for (size_t i = 0; i < descriptor_->handler_count; ++i) {
      if (handler == descriptor_->handlers[i].name) def = &descriptor_->handlers[i];
    }
    if (!def) throw std::runtime_error("no handler " + handler);
    HandlerResult result;
    sh_record record{};
    record.struct_size = sizeof record;
    record.topic = "coupon-test";
    record.partition = -1;
    record.offset = -1;
    record.timestamp_ms = -1;
    record.value = sh_bytes{value.data(), value.size()};
    sh_emitter emitter{&result, [](void* ctx, const char*, sh_bytes key, sh_bytes val) {
                         auto* r = static_cast<HandlerResult*>(ctx);
                         r->emitted.push_back({key.data ? std::string(key.data, key.len) : "",
                                               std::string(val.data, val.len)});
                         return 0;
                       }};
    char reason[512] = {0};
    result.status = def->process(instance_, &record, &emitter, reason, sizeof reason);
    result.reason = reason;
    return result;
  }

  bool ready(std::string& why) {
    char msg[512] = {0};
    const bool ok = descriptor_->instance_ready(instance_, msg, sizeof msg) == 1;
    why = msg;
    return ok;
  }

  const sh_plugin_descriptor& descriptor() const { return *descriptor_; }
  RecordingHost& host() { return host_; }

 private:
  RecordingHost host_;
  void* library_ = nullptr;
  const sh_plugin_descriptor* descriptor_ = nullptr;
  void* instance_ = nullptr;
};

}  // namespace streamhost::coupon::testing
