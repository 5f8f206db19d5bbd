// Header-only C++ helper over plugin_api.h: write a handler as an ordinary C++ member function.
//
// Compiled into each plugin (never into the host), so no C++ type crosses the dlopen boundary. Every
// exception is caught here, at the C entry points:
//   - streamhost::plugin::Reject   -> SH_STATUS_REJECT with its message
//   - streamhost::plugin::Retry    -> SH_STATUS_RETRY with its message
//   - streamhost::plugin::Fatal    -> SH_STATUS_FATAL with its message
//   - any other exception          -> SH_STATUS_REJECT, reason "uncaught exception: <what>", so a bug
//                                     triggered by one odd record dead-letters that record instead of
//                                     taking the host down.
//
// Usage (see plugin/examples/field_mapper for a complete plugin):
//
//   class Mapper {
//    public:
//     Mapper(streamhost::plugin::Host host, std::string_view config_json);
//     streamhost::plugin::Outcome map(const streamhost::plugin::Record& in,
//                                     streamhost::plugin::Emitter& out);
//   };
//   constexpr sh_handler_def kHandlers[] = {
//       streamhost::plugin::handler<Mapper, &Mapper::map>("map", "renames fields")};
//   STREAMHOST_PLUGIN(Mapper, "mapper", "1.0.0", "Renames JSON fields", kSchema, kHandlers)
#pragma once

#include <streamhost/plugin_api.h>

#include <concepts>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace streamhost::plugin {

// A handler's result: a status plus, for anything but OK, a human-readable reason.
struct Outcome {
  sh_status status = SH_STATUS_OK;
  std::string reason;

  static Outcome ok() { return {}; }
  static Outcome retry(std::string why) { return {SH_STATUS_RETRY, std::move(why)}; }
  static Outcome reject(std::string why) { return {SH_STATUS_REJECT, std::move(why)}; }
  static Outcome fatal(std::string why) { return {SH_STATUS_FATAL, std::move(why)}; }
};

// Exceptions a handler (or anything it calls) may throw instead of returning an Outcome.
struct Reject : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct Retry : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct Fatal : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A read-only view of the host's record; valid only during the handler call.
class Record {
 public:
  explicit Record(const sh_record& raw) : raw_(raw) {}

  std::string_view topic() const { return raw_.topic; }
  int32_t partition() const { return raw_.partition; }
  int64_t offset() const { return raw_.offset; }
  int64_t timestamp_ms() const { return raw_.timestamp_ms; }
  std::optional<std::string_view> key() const { return view(raw_.key); }
  std::string_view value() const { return raw_.value.data ? view(raw_.value).value() : ""; }
  bool has_value() const { return raw_.value.data != nullptr; }
  size_t header_count() const { return raw_.header_count; }
  std::pair<std::string_view, std::string_view> header(size_t i) const {
    return {std::string_view(raw_.headers[i].key.data, raw_.headers[i].key.len),
            std::string_view(raw_.headers[i].value.data, raw_.headers[i].value.len)};
  }
  const sh_record& raw() const { return raw_; }

 private:
  static std::optional<std::string_view> view(sh_bytes b) {
    if (b.data == nullptr) return std::nullopt;
    return std::string_view(b.data, b.len);
  }
  const sh_record& raw_;
};

// Sends outputs; the host copies the bytes before emit returns.
class Emitter {
 public:
  explicit Emitter(const sh_emitter& raw) : raw_(raw) {}

  // Emits `value` keyed by `key` (nullopt = null key) to the route's output topic, or to `topic`.
  // Throws Fatal when the host refuses the output.
  void emit(std::string_view value, std::optional<std::string_view> key = std::nullopt,
            const char* topic = nullptr) const {
    sh_bytes k{key ? key->data() : nullptr, key ? key->size() : 0};
    // An empty key must still be "present": point at a valid byte.
    if (key && key->empty()) k.data = "";
    sh_bytes v{value.data() ? value.data() : "", value.size()};
    if (raw_.emit(raw_.host_ctx, topic, k, v) != 0) throw Fatal("the host refused an emitted record");
  }

 private:
  const sh_emitter& raw_;
};

// The host's services for a plugin instance; cheap to copy, valid until the instance is destroyed.
class Host {
 public:
  Host() = default;
  explicit Host(const sh_host_api* raw) : raw_(raw) {}

  void log(sh_log_level level, const std::string& message) const {
    if (raw_ && raw_->log) raw_->log(raw_->host_ctx, level, message.c_str());
  }
  void info(const std::string& m) const { log(SH_LOG_INFO, m); }
  void warn(const std::string& m) const { log(SH_LOG_WARN, m); }
  void error(const std::string& m) const { log(SH_LOG_ERROR, m); }
  void observe_seconds(const char* histogram, double seconds) const {
    if (raw_ && raw_->observe_seconds) raw_->observe_seconds(raw_->host_ctx, histogram, seconds);
  }
  void count(const char* counter, uint64_t delta = 1) const {
    if (raw_ && raw_->count) raw_->count(raw_->host_ctx, counter, delta);
  }

 private:
  const sh_host_api* raw_ = nullptr;
};

namespace detail {

inline void copy_message(char* buf, size_t cap, std::string_view text) {
  if (buf == nullptr || cap == 0) return;
  size_t n = text.size() < cap - 1 ? text.size() : cap - 1;
  std::memcpy(buf, text.data(), n);
  buf[n] = '\0';
}

template <typename Instance, Outcome (Instance::*Method)(const Record&, Emitter&)>
sh_status process(void* instance, const sh_record* record, const sh_emitter* out, char* reason,
                  size_t reason_cap) noexcept {
  try {
    Record in(*record);
    Emitter emitter(*out);
    Outcome outcome = (static_cast<Instance*>(instance)->*Method)(in, emitter);
    if (outcome.status != SH_STATUS_OK) copy_message(reason, reason_cap, outcome.reason);
    return outcome.status;
  } catch (const Reject& e) {
    copy_message(reason, reason_cap, e.what());
    return SH_STATUS_REJECT;
  } catch (const Retry& e) {
    copy_message(reason, reason_cap, e.what());
    return SH_STATUS_RETRY;
  } catch (const Fatal& e) {
    copy_message(reason, reason_cap, e.what());
    return SH_STATUS_FATAL;
  } catch (const std::exception& e) {
    copy_message(reason, reason_cap, std::string("uncaught exception: ") + e.what());
    return SH_STATUS_REJECT;
  } catch (...) {
    copy_message(reason, reason_cap, "uncaught exception of unknown type");
    return SH_STATUS_REJECT;
  }
}

template <typename Instance>
void* create(const sh_host_api* host, const char* config_json, char* errbuf,
             size_t errbuf_cap) noexcept {
  try {
    return new Instance(Host(host), std::string_view(config_json ? config_json : "{}"));
  } catch (const std::exception& e) {
    copy_message(errbuf, errbuf_cap, e.what());
  } catch (...) {
    copy_message(errbuf, errbuf_cap, "instance constructor threw an exception of unknown type");
  }
  return nullptr;
}

template <typename Instance>
void destroy(void* instance) noexcept {
  delete static_cast<Instance*>(instance);
}

// Used when the instance type has `bool ready(std::string& why)`.
template <typename Instance>
int ready(void* instance, char* msg, size_t msg_cap) noexcept {
  try {
    std::string why;
    if (static_cast<Instance*>(instance)->ready(why)) return 1;
    copy_message(msg, msg_cap, why);
  } catch (const std::exception& e) {
    copy_message(msg, msg_cap, e.what());
  } catch (...) {
    copy_message(msg, msg_cap, "readiness check threw");
  }
  return 0;
}

// Used when the instance type has `static void check_config(std::string_view config_json)`,
// which throws with the reason when the config cannot work.
template <typename Instance>
int config_check(const char* config_json, char* errbuf, size_t errbuf_cap) noexcept {
  try {
    Instance::check_config(std::string_view(config_json ? config_json : "{}"));
    return 1;
  } catch (const std::exception& e) {
    copy_message(errbuf, errbuf_cap, e.what());
  } catch (...) {
    copy_message(errbuf, errbuf_cap, "config check threw an exception of unknown type");
  }
  return 0;
}

template <typename Instance>
constexpr auto config_check_fn() {
  if constexpr (requires(std::string_view s) { Instance::check_config(s); }) {
    return &config_check<Instance>;
  } else {
    return static_cast<int (*)(const char*, char*, size_t)>(nullptr);
  }
}

template <typename Instance>
constexpr auto ready_fn() {
  if constexpr (requires(Instance& i, std::string& s) {
                  { i.ready(s) } -> std::convertible_to<bool>;
                }) {
    return &ready<Instance>;
  } else {
    return static_cast<int (*)(void*, char*, size_t)>(nullptr);
  }
}

}  // namespace detail

// Declares a handler backed by `Instance::Method`.
template <typename Instance, Outcome (Instance::*Method)(const Record&, Emitter&)>
constexpr sh_handler_def handler(const char* name, const char* description) {
  return sh_handler_def{name, description, &detail::process<Instance, Method>};
}

// Builds the static descriptor for a plugin whose instances are `Instance` objects.
template <typename Instance, size_t N>
constexpr sh_plugin_descriptor describe(const char* name, const char* version,
                                        const char* description, const char* config_schema_json,
                                        const sh_handler_def (&handlers)[N]) {
  return sh_plugin_descriptor{sizeof(sh_plugin_descriptor),
                              SH_PLUGIN_ABI_MAJOR,
                              SH_PLUGIN_ABI_MINOR,
                              name,
                              version,
                              description,
                              config_schema_json,
                              &detail::create<Instance>,
                              &detail::destroy<Instance>,
                              detail::ready_fn<Instance>(),
                              handlers,
                              N,
                              detail::config_check_fn<Instance>()};
}

}  // namespace streamhost::plugin

// Defines the one exported symbol. Use once per plugin, at namespace scope.
#define STREAMHOST_PLUGIN(Instance, name, version, description, schema, handlers)                \
  extern "C" SH_PLUGIN_EXPORT const sh_plugin_descriptor* streamhost_plugin_descriptor(void) {   \
    static const sh_plugin_descriptor descriptor =                                              \
        ::streamhost::plugin::describe<Instance>(name, version, description, schema, handlers); \
    return &descriptor;                                                                         \
  }
