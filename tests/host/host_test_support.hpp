// Helpers shared by the host-config tests: fake environments, temporary manifests, a HostServices
// that records plugin log lines, and a handler call harness.
#pragma once

#include <streamhost/plugin_api.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "manifest/interpolate.hpp"
#include "plugin/host_services.hpp"

namespace streamhost::host::testing {

// An environment holding exactly `vars`.
inline EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// A fresh folder under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("streamhost-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string write(const std::string& name, const std::string& text) const {
    std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

// Logging-only host services that remember what plugins logged.
class RecordingHostServices : public HostServices {
 public:
  const sh_host_api* api_for(const std::string&) override { return &api_; }
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  static void log(void* ctx, sh_log_level, const char* message) {
    auto* self = static_cast<RecordingHostServices*>(ctx);
    std::lock_guard lock(self->mutex_);
    self->lines_.emplace_back(message);
  }
  static void observe(void*, const char*, double) {}
  static void count(void*, const char*, uint64_t) {}

  std::mutex mutex_;
  std::vector<std::string> lines_;
  sh_host_api api_{sizeof(sh_host_api), this, &log, &observe, &count};
};

struct Emitted {
  std::string topic;  // empty: the route's output topic
  std::optional<std::string> key;
  std::string value;
};

struct HandlerResult {
  sh_status status;
  std::string reason;
  std::vector<Emitted> emitted;
};

// Calls one handler the way the runtime does, with a record built from `key` and `value`.
inline HandlerResult call_handler(const sh_handler_def& handler, void* instance,
                                  std::optional<std::string> key, const std::string& value) {
  HandlerResult result{};
  sh_emitter emitter{&result.emitted, [](void* ctx, const char* topic, sh_bytes k, sh_bytes v) {
                       auto* out = static_cast<std::vector<Emitted>*>(ctx);
                       Emitted e{topic ? topic : "", std::nullopt, std::string(v.data, v.len)};
                       if (k.data != nullptr) e.key = std::string(k.data, k.len);
                       out->push_back(std::move(e));
                       return 0;
                     }};
  sh_record record{
      sizeof(sh_record), "input", 0, 42, 1700000000000, {nullptr, 0}, {value.data(), value.size()},
      nullptr,           0};
  if (key) record.key = {key->data(), key->size()};
  char reason[256] = {};
  result.status = handler.process(instance, &record, &emitter, reason, sizeof reason);
  result.reason = reason;
  return result;
}

}  // namespace streamhost::host::testing
