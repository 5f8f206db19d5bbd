/*
 * streamhost plugin ABI: the whole contract between the streamhost host and a processor plugin.
 *
 * Pure C on purpose: plain C types cross the dlopen boundary, never STL types, exceptions or JSON
 * library objects, so a plugin built with another compiler or standard library still loads.
 *
 * A plugin exports exactly one symbol, `streamhost_plugin_descriptor`, a function returning a pointer
 * to a static, immutable `sh_plugin_descriptor`. The host checks `struct_size` and the ABI version
 * before it touches anything else: a different major, or a newer minor than the host knows, is
 * refused with both versions named.
 *
 * Conventions used on every item below:
 *   - Ownership: "host-owned" memory is valid only for the duration of the call that received it;
 *     copy what you keep. "plugin-owned" memory stays valid as long as stated. Whoever allocates frees.
 *   - Strings are UTF-8. `const char*` fields are NUL-terminated unless paired with a length.
 *   - Threads: see each function. Handlers may run concurrently on several worker threads.
 *
 * How the ABI grows (tests/host/abi_layout_test.cpp pins every struct's size and offsets, so a layout
 * change cannot slip in unnoticed):
 *   - Fields are only ever appended at the end of a struct; that bumps SH_PLUGIN_ABI_MINOR. Anything
 *     else (reordering, retyping, removing, a changed meaning) bumps SH_PLUGIN_ABI_MAJOR.
 *   - Every struct that crosses the boundary says how big it is: a `struct_size` field, or for array
 *     elements an element size next to the array (`handler_def_size`, `header_size`). The reader
 *     walks arrays with that stride and reads only the fields the size covers; a field beyond it
 *     reads as zero/NULL. So a host reads an older plugin's smaller structs, and a plugin reads a
 *     newer host's larger ones.
 *   - A host loads plugins of its major with a minor up to its own; a newer minor is refused.
 *   - C plugins fill structs with designated initializers, never positionally.
 */
#ifndef STREAMHOST_PLUGIN_API_H
#define STREAMHOST_PLUGIN_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SH_PLUGIN_ABI_MAJOR 1
#define SH_PLUGIN_ABI_MINOR 3

/* The name of the one symbol a plugin exports. */
#define SH_PLUGIN_DESCRIPTOR_SYMBOL "streamhost_plugin_descriptor"

/* Marks the exported symbol; build plugins with -fvisibility=hidden so nothing else leaks. */
#if defined(__GNUC__) || defined(__clang__)
#define SH_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define SH_PLUGIN_EXPORT
#endif

/*
 * The closed set of outcomes a handler can report. The host owns the policy for each:
 *   SH_STATUS_OK      the record is done; whatever was emitted is produced, then the offset may commit.
 *   SH_STATUS_RETRY   a dependency is unavailable (database, scorer): the host discards what was
 *                     emitted, backs off exponentially, pauses the partition and commits nothing past
 *                     this record, then calls the handler again with the same record.
 *   SH_STATUS_REJECT  this input can never succeed: the host sends a dead-letter envelope carrying the
 *                     reason and moves on. Emitted records are discarded.
 *   SH_STATUS_FATAL   the plugin cannot continue: the host stops the pipeline with the reason.
 */
typedef enum sh_status {
  SH_STATUS_OK = 0,
  SH_STATUS_RETRY = 1,
  SH_STATUS_REJECT = 2,
  SH_STATUS_FATAL = 3
} sh_status;

/* A stable name for logs and metrics ("ok", "retry", "reject", "fatal", "unknown"). */
static inline const char* sh_status_name(int status) {
  switch (status) {
    case SH_STATUS_OK: return "ok";
    case SH_STATUS_RETRY: return "retry";
    case SH_STATUS_REJECT: return "reject";
    case SH_STATUS_FATAL: return "fatal";
    default: return "unknown";
  }
}

typedef enum sh_log_level {
  SH_LOG_DEBUG = 0,
  SH_LOG_INFO = 1,
  SH_LOG_WARN = 2,
  SH_LOG_ERROR = 3
} sh_log_level;

/*
 * A byte range. `data == NULL` means "absent" (a null Kafka key), which differs from an empty
 * range (`data != NULL`, `len == 0`). Not NUL-terminated.
 */
typedef struct sh_bytes {
  const char* data;
  size_t len;
} sh_bytes;

/*
 * One Kafka record header. Host-owned, valid during the process call. An element of
 * sh_record.headers: step through that array by sh_record.header_size, not by sizeof(sh_header).
 */
typedef struct sh_header {
  sh_bytes key;
  sh_bytes value;
} sh_header;

/*
 * The record a handler processes. Host-owned and read-only; valid only during the process call.
 * `value` holds the record's JSON text as the REST proxy delivered it.
 */
typedef struct sh_record {
  size_t struct_size;      /* sizeof(sh_record) as the host compiled it */
  const char* topic;       /* never NULL */
  int32_t partition;       /* -1 when the record did not come from Kafka (testing-mode inject) */
  int64_t offset;          /* -1 when the record did not come from Kafka */
  int64_t timestamp_ms;    /* milliseconds since the epoch; -1 when the proxy gave none */
  sh_bytes key;            /* data NULL for a null key */
  sh_bytes value;          /* data NULL for a null value (tombstone) */
  const sh_header* headers; /* NULL when header_count is 0; element i starts at
                               (const char*)headers + i * header_size (ABI 1.2; before it, at
                               headers + i) */
  size_t header_count;
  /* --- ABI 1.2 --- */
  size_t header_size; /* sizeof(sh_header) as the host compiled it: the stride of `headers` */
} sh_record;

/*
 * Where a handler puts its outputs. Host-owned; valid only during the process call and only on the
 * thread that received it. It has no struct_size: the host always hands a plugin at least the
 * fields of the plugin's own ABI minor, and fields are only appended. `emit` copies key and value before it returns; a key with data NULL
 * produces a null key. `topic` NULL sends to the route's output topic; otherwise the named topic.
 * Returns 0 on success, non-zero when the host refuses the output (the handler should then return
 * SH_STATUS_FATAL or SH_STATUS_RETRY as it sees fit).
 */
typedef struct sh_emitter {
  void* host_ctx;
  int (*emit)(void* host_ctx, const char* topic, sh_bytes key, sh_bytes value);
} sh_emitter;

/*
 * Services the host offers a plugin instance. Host-owned; valid from instance_create until
 * instance_destroy returns. Every function is thread-safe and may be called from any thread.
 * `struct_size` covers the fields this host provides; a plugin reads a field only when it does.
 */
typedef struct sh_host_api {
  size_t struct_size;
  void* host_ctx; /* pass back as the first argument of each function */
  /* Writes one log line attributed to the plugin; `message` is copied. Never log secrets. */
  void (*log)(void* host_ctx, sh_log_level level, const char* message);
  /*
   * Records one observation of a named duration histogram, in seconds (for example
   * "coupon_scorer_call"). The host exposes it in /metrics labelled with the plugin name. Names are
   * [a-z0-9_]+; the host copies the name.
   */
  void (*observe_seconds)(void* host_ctx, const char* histogram, double seconds);
  /* Adds `delta` to a named counter, exposed like the histograms. */
  void (*count)(void* host_ctx, const char* counter, uint64_t delta);
  /* --- ABI 1.2 --- */
  /*
   * The host's monotonic clock in nanoseconds (an arbitrary origin; only differences mean
   * anything). Plugins take the time here instead of from the system for cache ages, timeouts and
   * rate limits, so a test host can move it forward (the SDK's harness has a fake clock).
   */
  int64_t (*monotonic_ns)(void* host_ctx);
} sh_host_api;

/*
 * One partition of a route's source topic (ABI 1.3). Host-owned, valid during the call that
 * received it. An element of an array whose stride is passed next to it (`partition_size`).
 */
typedef struct sh_partition {
  const char* topic; /* never NULL */
  int32_t partition;
} sh_partition;

/*
 * Processes one record. Called by host worker threads, possibly concurrently on the same instance for
 * records of different keys; records with the same key arrive one at a time, in offset order.
 *   instance: what instance_create returned.
 *   record:   host-owned, read-only, valid during the call.
 *   out:      host-owned emitter, valid during the call.
 *   reason:   host-owned buffer of reason_cap bytes (at least 256), for a NUL-terminated
 *             human-readable reason when the status is RETRY, REJECT or FATAL. Truncate to fit.
 * Must not throw (the C++ helper in plugin.hpp catches exceptions at this boundary).
 */
typedef sh_status (*sh_process_fn)(void* instance, const sh_record* record, const sh_emitter* out,
                                   char* reason, size_t reason_cap);

/*
 * Where a handler's outputs go, declared so `streamhost validate` can refuse a route whose handler
 * emits to the route's output topic while the route has none (instead of failing on the first
 * record). The host also refuses, at run time, an emit the declaration does not allow.
 */
typedef enum sh_emits {
  SH_EMITS_UNDECLARED = 0,      /* a handler of a plugin built before ABI 1.2: not checked */
  SH_EMITS_NOTHING = 1,         /* never emits */
  SH_EMITS_TO_OUTPUT_TOPIC = 2, /* emits to the route's output_topic (and maybe to named topics) */
  SH_EMITS_TO_NAMED_TOPICS = 3  /* emits only to topics it names in each emit call */
} sh_emits;

/*
 * One named handler a route can reference as "plugin/handler". Plugin-owned, static. An element of
 * sh_plugin_descriptor.handlers, whose stride is handler_def_size.
 */
typedef struct sh_handler_def {
  const char* name;        /* [a-z0-9_-]+, unique within the plugin */
  const char* description; /* one line, shown by `streamhost plugins inspect`; may be NULL */
  sh_process_fn process;   /* never NULL */
  /* --- ABI 1.2 --- */
  uint32_t emits; /* an sh_emits value */
} sh_handler_def;

/*
 * The descriptor a plugin returns. Plugin-owned and static: it and everything it points to must stay
 * valid and unchanged while the library is loaded (the host never unloads a running plugin).
 */
typedef struct sh_plugin_descriptor {
  size_t struct_size; /* sizeof(sh_plugin_descriptor) as the plugin compiled it */
  uint32_t abi_major; /* SH_PLUGIN_ABI_MAJOR the plugin was built against */
  uint32_t abi_minor; /* SH_PLUGIN_ABI_MINOR the plugin was built against */
  const char* name;   /* [a-z0-9_-]+; the plugin's name in routes and metrics */
  const char* version;     /* the plugin's own version, free text (semver advised) */
  const char* description; /* one line; may be NULL */
  /*
   * JSON Schema (draft-04 or later, as supported by RapidJSON) for the plugin's config object. The
   * host validates the manifest's config against it before instance_create. NULL accepts any object.
   */
  const char* config_schema_json;
  /*
   * Creates an instance from its config, a NUL-terminated JSON object already validated against
   * config_schema_json (host-owned, valid during the call). Called once per pipeline from the main
   * thread before any handler runs. On failure returns NULL and writes a NUL-terminated message into
   * errbuf (host-owned, errbuf_cap bytes, at least 256). `host` stays valid until instance_destroy.
   */
  void* (*instance_create)(const sh_host_api* host, const char* config_json, char* errbuf,
                           size_t errbuf_cap);
  /* Destroys an instance; called once, after the last handler call returned. NULL is a no-op. */
  void (*instance_destroy)(void* instance);
  /*
   * Optional (may be NULL = always ready): whether the instance's dependencies answer, for /readyz.
   * Returns 1 when ready; otherwise 0 and a NUL-terminated reason in msg (host-owned, msg_cap bytes).
   * Called from the admin HTTP thread, concurrently with handlers; keep it cheap.
   */
  int (*instance_ready)(void* instance, char* msg, size_t msg_cap);
  const sh_handler_def* handlers; /* plugin-owned static array of handler_count entries, each
                                     handler_def_size bytes (below) */
  size_t handler_count;
  /* --- ABI 1.1 --- (absent from a 1.0 plugin's smaller descriptor: treat as NULL) */
  /*
   * Optional (may be NULL): checks of a config that its schema cannot express and that need no
   * network, such as a file the config names (a model the plugin would load). Called by
   * `streamhost validate` and before instance_create, from the main thread, with the config already
   * validated against config_schema_json (host-owned, NUL-terminated, valid during the call).
   * Returns 1 when the config is usable; otherwise 0 and a NUL-terminated reason naming the
   * problem in errbuf (host-owned, errbuf_cap bytes, at least 256; this host gives 16384).
   * Several problems may be reported, one per line, each as "<JSON Pointer>\t<message>" where the
   * pointer locates the value within the config ("/zones/1/radius_m"; empty for the whole
   * config): the host then reports each at its key path and manifest line. Text without that
   * form is one problem of the whole config. (plugin.hpp's ConfigErrors writes the line form.)
   * ABI 1.3: on success a plugin may leave a NUL-terminated summary of what it checked in errbuf
   * (lines of plain text, such as the model file the config names: its kind, size and feature
   * order), which `streamhost validate` prints under the plugin. The host zero-fills errbuf
   * before the call, and reads a summary only from a 1.3 plugin: what an older one left there on
   * success meant nothing.
   */
  int (*config_check)(const char* config_json, char* errbuf, size_t errbuf_cap);
  /* --- ABI 1.2 --- (absent from an older plugin's descriptor: the host uses the 1.1 stride) */
  /*
   * sizeof(sh_handler_def) as the plugin compiled it: element i of `handlers` starts at
   * (const char*)handlers + i * handler_def_size. The host reads only the fields it covers.
   */
  size_t handler_def_size;
  /* --- ABI 1.3 --- (absent from an older plugin's descriptor: treat as NULL) */
  /*
   * Optional (may be NULL): the partition lifecycle, for a plugin that keeps state per partition
   * (load it when a partition arrives, flush and drop it when it leaves). `partitions` is a
   * host-owned array of `count` elements, each `partition_size` bytes (walk it by that stride).
   * Returns SH_STATUS_OK; any other status stops the pipeline as FATAL with the NUL-terminated
   * reason written into `reason` (host-owned, reason_cap bytes, at least 256). Must not throw.
   *
   * The guarantees, per instance:
   *   - Both are called from one host thread (the pipeline's polling thread), never concurrently
   *     with each other, but concurrently with handler calls for other partitions.
   *   - partitions_assigned(P) returns before the first handler call for a record of P delivered
   *     after that assignment begins.
   *   - partitions_revoked(P) is called only once every handler call for a record of P has
   *     returned, and no handler call for P starts after it until P is assigned again (with
   *     another partitions_assigned). Outputs of those calls may still be in production.
   *   - Every assigned partition is revoked exactly once: when the consumer loses it (a rebalance,
   *     noticed within the host's assignment refresh interval), when the consumer instance is
   *     recreated, and at shutdown, before instance_destroy.
   * Kafka delivers at least once: after a revocation, records of P past its last committed offset
   * come again to whichever member gets P next, so state must be rebuilt from what was committed
   * (or kept somewhere shared), not trusted to be complete.
   */
  sh_status (*partitions_assigned)(void* instance, const sh_partition* partitions, size_t count,
                                   size_t partition_size, char* reason, size_t reason_cap);
  sh_status (*partitions_revoked)(void* instance, const sh_partition* partitions, size_t count,
                                  size_t partition_size, char* reason, size_t reason_cap);
} sh_plugin_descriptor;

/* The signature of the one exported function. */
typedef const sh_plugin_descriptor* (*sh_plugin_descriptor_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STREAMHOST_PLUGIN_API_H */
