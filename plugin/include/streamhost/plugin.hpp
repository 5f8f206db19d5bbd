// Header-only C++ helper over plugin_api.h: a plugin is a class, its handlers are ordinary
// functions, and one macro declares the descriptor by name.
//
// Compiled into each plugin (never into the host), so no C++ type crosses the dlopen boundary.
// Every exception is caught here, at the C entry points:
//   - streamhost::plugin::Reject   -> SH_STATUS_REJECT with its message
//   - streamhost::plugin::Retry    -> SH_STATUS_RETRY with its message
//   - streamhost::plugin::Fatal    -> SH_STATUS_FATAL with its message
//   - any other exception          -> SH_STATUS_REJECT, reason "uncaught exception: <what>",
//                                     so a bug triggered by one odd record dead-letters that
//                                     record instead of taking the host down.
//
// Usage (plugin/examples/field_mapper is a complete plugin; docs/plugin-authors.md explains all):
//
//   namespace sp = streamhost::plugin;
//   class Mapper {
//    public:
//     struct Config {  // typed config: schema, defaults and parsing in one place
//       std::string suffix = "-mapped";
//       static constexpr auto options() {
//         return sp::options(sp::option("suffix", &Config::suffix, "appended to every value"));
//       }
//     };
//     Mapper(sp::Host host, const Config& config);
//     void map(const sp::Record& in, sp::Emitter& out) const;   // or return sp::Outcome
//   };
//   constexpr sh_handler_def kHandlers[] = {sp::handler<&Mapper::map>(
//       {.name = "map", .emits = sp::Emits::to_output_topic, .description = "appends a suffix"})};
//   STREAMHOST_PLUGIN(Mapper, .name = "mapper", .version = "1.0.0",
//                     .description = "Appends a suffix", .handlers = kHandlers)
#pragma once

#include <streamhost/plugin_api.h>

#include <chrono>
#include <concepts>
#include <cstring>
#include <exception>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <streamhost/plugin_config.hpp>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

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
  // Header i as (key, value). The array's stride is the host's header_size, which may be larger
  // than this plugin's sizeof(sh_header) when the host is newer.
  std::pair<std::string_view, std::string_view> header(size_t i) const {
    const sh_header& h = *reinterpret_cast<const sh_header*>(
        reinterpret_cast<const char*>(raw_.headers) + i * header_stride());
    return {std::string_view(h.key.data, h.key.len), std::string_view(h.value.data, h.value.len)};
  }
  const sh_record& raw() const { return raw_; }

 private:
  static std::optional<std::string_view> view(sh_bytes b) {
    if (b.data == nullptr) return std::nullopt;
    return std::string_view(b.data, b.len);
  }
  size_t header_stride() const {
    constexpr size_t kEnd = offsetof(sh_record, header_size) + sizeof(size_t);
    return raw_.struct_size >= kEnd && raw_.header_size != 0 ? raw_.header_size : sizeof(sh_header);
  }
  const sh_record& raw_;
};

// One partition of a route's source topic, as the partition hooks receive it; the topic's bytes
// are the host's, valid during the hook call.
struct Partition {
  std::string_view topic;
  int32_t partition = 0;
  bool operator==(const Partition&) const = default;
};

// Sends outputs; the host copies the bytes before emit returns.
class Emitter {
 public:
  explicit Emitter(const sh_emitter& raw) : raw_(raw) {}

  // Emits `value` keyed by `key` (nullopt = null key) to the route's output topic, or to `topic`.
  // Throws Fatal when the host refuses the output (the route has no output topic, or the handler's
  // declaration does not allow this emit).
  void emit(std::string_view value, std::optional<std::string_view> key = std::nullopt,
            const char* topic = nullptr) const {
    sh_bytes k{key ? key->data() : nullptr, key ? key->size() : 0};
    // An empty key must still be "present": point at a valid byte.
    if (key && key->empty()) k.data = "";
    sh_bytes v{value.data() ? value.data() : "", value.size()};
    if (raw_.emit(raw_.host_ctx, topic, k, v) != 0)
      throw Fatal("the host refused an emitted record");
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
  // The host's monotonic clock; a test harness moves it on demand. Take time here, not from
  // std::chrono::steady_clock, for anything a test should control (cache ages, timeouts).
  std::chrono::nanoseconds monotonic() const {
    constexpr size_t kEnd = offsetof(sh_host_api, monotonic_ns) + sizeof(raw_->monotonic_ns);
    if (raw_ && raw_->struct_size >= kEnd && raw_->monotonic_ns)
      return std::chrono::nanoseconds(raw_->monotonic_ns(raw_->host_ctx));
    return std::chrono::steady_clock::now().time_since_epoch();
  }

 private:
  const sh_host_api* raw_ = nullptr;
};

// Where a handler's outputs go (see sh_emits). `streamhost validate` refuses a route without an
// output_topic whose handler emits to_output_topic.
enum class Emits : uint32_t {
  nothing = SH_EMITS_NOTHING,
  to_output_topic = SH_EMITS_TO_OUTPUT_TOPIC,
  to_named_topics = SH_EMITS_TO_NAMED_TOPICS,
};

// A handler's declaration, by name: {.name = "map", .emits = Emits::to_output_topic, ...}.
struct HandlerInfo {
  const char* name = nullptr;  // [a-z0-9_-]+
  Emits emits{};               // required: the loader refuses a handler that leaves it out
  const char* description = nullptr;
};

// A plugin's declaration, by name; STREAMHOST_PLUGIN takes these fields.
struct PluginInfo {
  const char* name = nullptr;     // [a-z0-9_-]+
  const char* version = nullptr;  // free text, semver advised
  const char* description = nullptr;
  // A hand-written JSON Schema for a plugin that takes its config as text. Leave it unset when the
  // instance type declares a typed Config (its schema is generated).
  const char* config_schema_json = nullptr;
  std::span<const sh_handler_def> handlers;
};

namespace detail {

inline void copy_message(char* buf, size_t cap, std::string_view text) {
  if (buf == nullptr || cap == 0) return;
  size_t n = text.size() < cap - 1 ? text.size() : cap - 1;
  std::memcpy(buf, text.data(), n);
  buf[n] = '\0';
}

// The shape of a handler: what it is called on and whether it needs the plugin instance.
template <typename T>
struct Shape {
  static constexpr bool known = false;
};
template <typename R, typename C, typename... A>
struct Shape<R (C::*)(A...)> {
  static constexpr bool known = true, member = true, takes_instance = true;
  using Instance = C;
};
template <typename R, typename C, typename... A>
struct Shape<R (C::*)(A...) const> : Shape<R (C::*)(A...)> {};
template <typename R, typename C, typename... A>
struct Shape<R (C::*)(A...) noexcept> : Shape<R (C::*)(A...)> {};
template <typename R, typename C, typename... A>
struct Shape<R (C::*)(A...) const noexcept> : Shape<R (C::*)(A...)> {};
template <typename R, typename... A>
struct Shape<R (*)(A...)> {
  static constexpr bool known = true, member = false;
  using Instance = std::remove_cvref_t<std::tuple_element_t<0, std::tuple<A..., void>>>;
  static constexpr bool takes_instance = sizeof...(A) == 3;
};
template <typename R, typename... A>
struct Shape<R (*)(A...) noexcept> : Shape<R (*)(A...)> {};

// A captureless lambda or function object has the shape of its call operator, called as a free
// function.
template <typename L>
requires requires {
  &L::operator();
}
struct Shape<L> {
  using Call = Shape<decltype(&L::operator())>;
  template <typename M>
  struct AsFree;
  template <typename R, typename C, typename... A>
  struct AsFree<R (C::*)(A...) const> : Shape<R (*)(A...)> {};
  template <typename R, typename C, typename... A>
  struct AsFree<R (C::*)(A...) const noexcept> : Shape<R (*)(A...)> {};
  template <typename R, typename C, typename... A>
  struct AsFree<R (C::*)(A...)> : Shape<R (*)(A...)> {};
  using Free = AsFree<decltype(&L::operator())>;
  static constexpr bool known = Free::known, member = false;
  using Instance = typename Free::Instance;
  static constexpr bool takes_instance = Free::takes_instance;
};

// Whether F's call operator is declared noexcept: an exception from such a handler would call
// std::terminate inside the plugin instead of reaching process()'s barrier.
template <typename T>
struct DeclaredNoexcept : std::false_type {};
template <typename R, typename C, typename... A>
struct DeclaredNoexcept<R (C::*)(A...) noexcept> : std::true_type {};
template <typename R, typename C, typename... A>
struct DeclaredNoexcept<R (C::*)(A...) const noexcept> : std::true_type {};
template <typename R, typename... A>
struct DeclaredNoexcept<R (*)(A...) noexcept> : std::true_type {};
template <typename L>
requires requires {
  &L::operator();
}
struct DeclaredNoexcept<L> : DeclaredNoexcept<decltype(&L::operator())> {};

template <typename R>
constexpr bool kValidResult = std::is_void_v<R> || std::is_same_v<R, Outcome>;

// True when F is one of the handler forms, callable with a record and an emitter.
template <auto F>
constexpr bool valid_handler() {
  using S = Shape<std::remove_cvref_t<decltype(F)>>;
  if constexpr (!S::known) {
    return false;
  } else if constexpr (S::member) {
    using I = typename S::Instance;
    if constexpr (std::is_invocable_v<decltype(F), I&, const Record&, Emitter&>)
      return kValidResult<std::invoke_result_t<decltype(F), I&, const Record&, Emitter&>>;
    else
      return false;
  } else if constexpr (S::takes_instance) {
    using I = typename S::Instance;
    if constexpr (std::is_invocable_v<decltype(F), I&, const Record&, Emitter&>)
      return kValidResult<std::invoke_result_t<decltype(F), I&, const Record&, Emitter&>>;
    else
      return false;
  } else if constexpr (std::is_invocable_v<decltype(F), const Record&, Emitter&>) {
    return kValidResult<std::invoke_result_t<decltype(F), const Record&, Emitter&>>;
  } else {
    return false;
  }
}

// Every instance crosses the ABI boxed with a tag of its type first, so a handler declared on
// another class (handler<&Other::method>, or a free function taking `const Other&`) is refused with
// FATAL on its call instead of being handed an object of the wrong type.
template <typename T>
inline constexpr char kTypeTag = 0;  // one address per type

struct BoxHeader {
  const void* type;
};

template <typename Instance>
struct Box : BoxHeader {
  template <typename... Args>
  explicit Box(Args&&... args)
      : BoxHeader{&kTypeTag<Instance>}, value(std::forward<Args>(args)...) {}
  Instance value;
};

template <typename Instance>
void* box(Box<Instance>* boxed) {
  return static_cast<BoxHeader*>(boxed);
}

// The instance behind `opaque`, or nullptr when the plugin's instances are of another type.
template <typename Instance>
Instance* unbox(void* opaque) {
  auto* header = static_cast<BoxHeader*>(opaque);
  if (header == nullptr || header->type != &kTypeTag<Instance>) return nullptr;
  return &static_cast<Box<Instance>*>(header)->value;
}

template <auto F>
Outcome invoke_handler(void* instance, const Record& in, Emitter& out) {
  using S = Shape<std::remove_cvref_t<decltype(F)>>;
  if constexpr (S::takes_instance) {
    if (unbox<typename S::Instance>(instance) == nullptr) {
      return Outcome::fatal(
          "this handler is declared on a class other than the plugin's instance type (a bug in "
          "the plugin: check its handler<...> list against STREAMHOST_PLUGIN's first argument)");
    }
  }
  auto call = [&]() -> decltype(auto) {
    if constexpr (S::takes_instance) {
      return std::invoke(F, *unbox<typename S::Instance>(instance), in, out);
    } else {
      return std::invoke(F, in, out);
    }
  };
  if constexpr (std::is_void_v<decltype(call())>) {
    call();
    return Outcome::ok();
  } else {
    return call();
  }
}

template <auto F>
sh_status process(void* instance, const sh_record* record, const sh_emitter* out, char* reason,
                  size_t reason_cap) noexcept {
  try {
    Record in(*record);
    Emitter emitter(*out);
    Outcome outcome = invoke_handler<F>(instance, in, emitter);
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

// The instance's typed config, when it declares one: a nested `Config` with `options()`.
template <typename Instance>
concept HasTypedConfig = requires {
  Instance::Config::options();
};

template <typename Instance>
void* construct(Host host, std::string_view config_json) {
  if constexpr (HasTypedConfig<Instance>) {
    using Config = typename Instance::Config;
    static_assert(
        std::is_constructible_v<Instance, Host, const Config&>,
        "an instance type with a nested Config needs a constructor (Host, const Config&)");
    return box(new Box<Instance>(host, read_config<Config>(config_json)));
  } else if constexpr (std::is_constructible_v<Instance, Host, std::string_view>) {
    return box(new Box<Instance>(host, config_json));
  } else {
    static_assert(std::is_constructible_v<Instance, Host>,
                  "a plugin instance type needs a constructor (Host, const Config&) with a nested "
                  "Config, (Host, std::string_view config_json), or (Host)");
    return box(new Box<Instance>(host));
  }
}

template <typename Instance>
void* create(const sh_host_api* host, const char* config_json, char* errbuf,
             size_t errbuf_cap) noexcept {
  try {
    return construct<Instance>(Host(host), std::string_view(config_json ? config_json : "{}"));
  } catch (const std::exception& e) {
    copy_message(errbuf, errbuf_cap, e.what());
  } catch (...) {
    copy_message(errbuf, errbuf_cap, "instance constructor threw an exception of unknown type");
  }
  return nullptr;
}

template <typename Instance>
void destroy(void* instance) noexcept {
  delete static_cast<Box<Instance>*>(static_cast<BoxHeader*>(instance));
}

// Used when the instance type has `bool ready(std::string& why)`.
template <typename Instance>
int ready(void* instance, char* msg, size_t msg_cap) noexcept {
  try {
    std::string why;
    if (unbox<Instance>(instance)->ready(why)) return 1;
    copy_message(msg, msg_cap, why);
  } catch (const std::exception& e) {
    copy_message(msg, msg_cap, e.what());
  } catch (...) {
    copy_message(msg, msg_cap, "readiness check threw");
  }
  return 0;
}

// Used when the instance type has a static check_config, in one of three forms:
//   static void check_config(const Config&, ConfigErrors&)  adds each problem at its key path
//   static void check_config(const Config&)                 throws with the reason
//   static void check_config(std::string_view config_json)  throws (untyped config)
// The problems reach the host as ConfigErrors::encoded() lines, which it locates in the manifest.
// The two throwing forms may return a std::string instead of void: a summary of what they checked
// (ABI 1.3), which `streamhost validate` prints (truncated to errbuf_cap - 1 bytes).
template <typename Instance>
int config_check(const char* config_json, char* errbuf, size_t errbuf_cap) noexcept {
  try {
    std::string_view text(config_json ? config_json : "{}");
    if constexpr (HasTypedConfig<Instance>) {
      using Config = typename Instance::Config;
      const Config config = read_config<Config>(text);
      if constexpr (requires(ConfigErrors & e) { Instance::check_config(config, e); }) {
        ConfigErrors errors;
        Instance::check_config(config, errors);
        if (errors.empty()) return 1;
        copy_message(errbuf, errbuf_cap, errors.encoded());
        return 0;
      } else if constexpr (std::is_same_v<decltype(Instance::check_config(config)), std::string>) {
        copy_message(errbuf, errbuf_cap, Instance::check_config(config));
      } else {
        Instance::check_config(config);
      }
    } else if constexpr (std::is_same_v<decltype(Instance::check_config(text)), std::string>) {
      copy_message(errbuf, errbuf_cap, Instance::check_config(text));
    } else {
      Instance::check_config(text);
    }
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
  if constexpr (requires { &Instance::check_config; }) {
    return &config_check<Instance>;
  } else {
    return static_cast<int (*)(const char*, char*, size_t)>(nullptr);
  }
}

// Used when the instance type has `void partitions_assigned(std::span<const Partition>)` or
// `void partitions_revoked(std::span<const Partition>)` (ABI 1.3). An exception from either stops
// the pipeline as FATAL with its message: state that cannot be loaded or saved is not a record
// problem.
template <typename Instance, bool kAssigned>
sh_status partition_hook(void* instance, const sh_partition* partitions, size_t count,
                         size_t partition_size, char* reason, size_t reason_cap) noexcept {
  try {
    std::vector<Partition> list;
    list.reserve(count);
    const size_t stride = partition_size != 0 ? partition_size : sizeof(sh_partition);
    for (size_t i = 0; i < count; ++i) {
      const auto& p = *reinterpret_cast<const sh_partition*>(
          reinterpret_cast<const char*>(partitions) + i * stride);
      list.push_back(Partition{p.topic ? p.topic : "", p.partition});
    }
    Instance* self = unbox<Instance>(instance);
    if (self == nullptr) throw Fatal("partition hook called with another plugin's instance");
    if constexpr (kAssigned) {
      self->partitions_assigned(std::span<const Partition>(list));
    } else {
      self->partitions_revoked(std::span<const Partition>(list));
    }
    return SH_STATUS_OK;
  } catch (const std::exception& e) {
    copy_message(reason, reason_cap, e.what());
  } catch (...) {
    copy_message(reason, reason_cap, "partition hook threw an exception of unknown type");
  }
  return SH_STATUS_FATAL;
}

using PartitionHookFn = sh_status (*)(void*, const sh_partition*, size_t, size_t, char*, size_t);

template <typename Instance>
constexpr PartitionHookFn assigned_fn() {
  if constexpr (requires(Instance & i, std::span<const Partition> p) {
                  i.partitions_assigned(p);
                }) {
    return &partition_hook<Instance, true>;
  } else {
    return nullptr;
  }
}

template <typename Instance>
constexpr PartitionHookFn revoked_fn() {
  if constexpr (requires(Instance & i, std::span<const Partition> p) { i.partitions_revoked(p); }) {
    return &partition_hook<Instance, false>;
  } else {
    return nullptr;
  }
}

template <typename Instance>
constexpr auto ready_fn() {
  if constexpr (requires(Instance & i, std::string & s) {
                  { i.ready(s) } -> std::convertible_to<bool>;
                }) {
    return &ready<Instance>;
  } else {
    return static_cast<int (*)(void*, char*, size_t)>(nullptr);
  }
}

template <typename Instance>
const char* config_schema(const PluginInfo& info) {
  if constexpr (HasTypedConfig<Instance>) {
    static const std::string schema = config_schema_json<typename Instance::Config>();
    return schema.c_str();
  } else if constexpr (!std::is_constructible_v<Instance, Host, std::string_view>) {
    return info.config_schema_json ? info.config_schema_json
                                   : R"({"type": "object", "additionalProperties": false})";
  } else {
    return info.config_schema_json;
  }
}

}  // namespace detail

// Declares a handler. F is one of:
//   - a member function of the instance type:     Outcome or void (const Record&, Emitter&) [const]
//   - a free function or captureless lambda:      Outcome or void (const Record&, Emitter&)
//   - one that is given the instance:             Outcome or void (const Instance&, const Record&,
//                                                                  Emitter&)
// A void handler reports OK by returning and anything else by throwing Retry, Reject or Fatal.
template <auto F>
constexpr sh_handler_def handler(HandlerInfo info) {
  static_assert(detail::valid_handler<F>(),
                "streamhost::plugin::handler<F>: F must be a member function `Outcome "
                "name(const Record&, Emitter&) const`, or a free function or captureless lambda "
                "`Outcome (const Record&, Emitter&)` or `Outcome (const Instance&, const Record&, "
                "Emitter&)`; each may return void instead of Outcome");
  static_assert(!detail::DeclaredNoexcept<std::remove_cvref_t<decltype(F)>>::value,
                "streamhost::plugin::handler<F>: F is declared noexcept, so an exception it (or "
                "anything it calls) throws would terminate the host instead of dead-lettering the "
                "record: remove noexcept from the handler");
  if constexpr (detail::valid_handler<F>() &&
                !detail::DeclaredNoexcept<std::remove_cvref_t<decltype(F)>>::value) {
    return sh_handler_def{.name = info.name,
                          .description = info.description,
                          .process = &detail::process<F>,
                          .emits = static_cast<uint32_t>(info.emits)};
  } else {
    return sh_handler_def{};
  }
}

// Builds the static descriptor for a plugin whose instances are `Instance` objects.
template <typename Instance>
sh_plugin_descriptor describe(const PluginInfo& info) {
  return sh_plugin_descriptor{.struct_size = sizeof(sh_plugin_descriptor),
                              .abi_major = SH_PLUGIN_ABI_MAJOR,
                              .abi_minor = SH_PLUGIN_ABI_MINOR,
                              .name = info.name,
                              .version = info.version,
                              .description = info.description,
                              .config_schema_json = detail::config_schema<Instance>(info),
                              .instance_create = &detail::create<Instance>,
                              .instance_destroy = &detail::destroy<Instance>,
                              .instance_ready = detail::ready_fn<Instance>(),
                              .handlers = info.handlers.data(),
                              .handler_count = info.handlers.size(),
                              .config_check = detail::config_check_fn<Instance>(),
                              .handler_def_size = sizeof(sh_handler_def),
                              .partitions_assigned = detail::assigned_fn<Instance>(),
                              .partitions_revoked = detail::revoked_fn<Instance>()};
}

}  // namespace streamhost::plugin

// Defines the one exported symbol, once per plugin at namespace scope. The arguments after the
// instance type are PluginInfo's fields by name:
//   STREAMHOST_PLUGIN(Mapper, .name = "mapper", .version = "1.0.0", .handlers = kHandlers)
#define STREAMHOST_PLUGIN(Instance, ...)                                                         \
  extern "C" SH_PLUGIN_EXPORT const sh_plugin_descriptor* streamhost_plugin_descriptor(void) {   \
    static const sh_plugin_descriptor descriptor =                                               \
        ::streamhost::plugin::describe<Instance>(::streamhost::plugin::PluginInfo{__VA_ARGS__}); \
    return &descriptor;                                                                          \
  }
