// Pins the plugin ABI's layout, the way long-lived C ABIs do: the size and every field offset of
// each struct that crosses the boundary. A layout change fails the build here, whatever file it
// came from (a macro, an include, a reordered field); a comment edit does not. When this fails:
// appending fields at the end of a struct is a minor change (bump SH_PLUGIN_ABI_MINOR, pin the new
// field and size below), anything else is a major one. The numbers are for LP64 targets
// (x86_64, aarch64), the only ones the host builds for.
#include <gtest/gtest.h>
#include <streamhost/plugin_api.h>

#include <cstddef>
#include <map>
#include <string>

#include "abi_1_1_layout.h"
#include "plugin/descriptor_read.hpp"
#include "plugin/loader.hpp"

namespace {

static_assert(sizeof(void*) == 8 && sizeof(size_t) == 8, "the pins below are for LP64 targets");

static_assert(SH_PLUGIN_ABI_MAJOR == 1 && SH_PLUGIN_ABI_MINOR == 3);

static_assert(sizeof(sh_status) == 4 && SH_STATUS_OK == 0 && SH_STATUS_RETRY == 1 &&
              SH_STATUS_REJECT == 2 && SH_STATUS_FATAL == 3);
static_assert(sizeof(sh_log_level) == 4 && SH_LOG_DEBUG == 0 && SH_LOG_INFO == 1 &&
              SH_LOG_WARN == 2 && SH_LOG_ERROR == 3);
static_assert(SH_EMITS_UNDECLARED == 0 && SH_EMITS_NOTHING == 1 && SH_EMITS_TO_OUTPUT_TOPIC == 2 &&
              SH_EMITS_TO_NAMED_TOPICS == 3);

static_assert(sizeof(sh_bytes) == 16);
static_assert(offsetof(sh_bytes, data) == 0 && offsetof(sh_bytes, len) == 8);

static_assert(sizeof(sh_header) == 32);
static_assert(offsetof(sh_header, key) == 0 && offsetof(sh_header, value) == 16);

static_assert(sizeof(sh_record) == 96);
static_assert(offsetof(sh_record, struct_size) == 0 && offsetof(sh_record, topic) == 8 &&
              offsetof(sh_record, partition) == 16 && offsetof(sh_record, offset) == 24 &&
              offsetof(sh_record, timestamp_ms) == 32 && offsetof(sh_record, key) == 40 &&
              offsetof(sh_record, value) == 56 && offsetof(sh_record, headers) == 72 &&
              offsetof(sh_record, header_count) == 80 && offsetof(sh_record, header_size) == 88);

static_assert(sizeof(sh_emitter) == 16);
static_assert(offsetof(sh_emitter, host_ctx) == 0 && offsetof(sh_emitter, emit) == 8);

static_assert(sizeof(sh_host_api) == 48);
static_assert(offsetof(sh_host_api, struct_size) == 0 && offsetof(sh_host_api, host_ctx) == 8 &&
              offsetof(sh_host_api, log) == 16 && offsetof(sh_host_api, observe_seconds) == 24 &&
              offsetof(sh_host_api, count) == 32 && offsetof(sh_host_api, monotonic_ns) == 40);

static_assert(sizeof(sh_handler_def) == 32);
static_assert(offsetof(sh_handler_def, name) == 0 && offsetof(sh_handler_def, description) == 8 &&
              offsetof(sh_handler_def, process) == 16 && offsetof(sh_handler_def, emits) == 24);

static_assert(sizeof(sh_partition) == 16);
static_assert(offsetof(sh_partition, topic) == 0 && offsetof(sh_partition, partition) == 8);

static_assert(sizeof(sh_plugin_descriptor) == 120);
static_assert(offsetof(sh_plugin_descriptor, struct_size) == 0 &&
              offsetof(sh_plugin_descriptor, abi_major) == 8 &&
              offsetof(sh_plugin_descriptor, abi_minor) == 12 &&
              offsetof(sh_plugin_descriptor, name) == 16 &&
              offsetof(sh_plugin_descriptor, version) == 24 &&
              offsetof(sh_plugin_descriptor, description) == 32 &&
              offsetof(sh_plugin_descriptor, config_schema_json) == 40 &&
              offsetof(sh_plugin_descriptor, instance_create) == 48 &&
              offsetof(sh_plugin_descriptor, instance_destroy) == 56 &&
              offsetof(sh_plugin_descriptor, instance_ready) == 64 &&
              offsetof(sh_plugin_descriptor, handlers) == 72 &&
              offsetof(sh_plugin_descriptor, handler_count) == 80 &&
              offsetof(sh_plugin_descriptor, config_check) == 88 &&
              offsetof(sh_plugin_descriptor, handler_def_size) == 96 &&
              offsetof(sh_plugin_descriptor, partitions_assigned) == 104 &&
              offsetof(sh_plugin_descriptor, partitions_revoked) == 112);

// The sizes older plugins have, which the loader accepts as their minimum.
static_assert(streamhost::host::kMinDescriptorSizeV1 == 88);     // ABI 1.0: up to handler_count
static_assert(streamhost::host::kMinDescriptorSizeV1_2 == 104);  // ABI 1.2: handler_def_size
static_assert(streamhost::host::kHandlerDefSizeV1 == 24);        // ABI 1.0 and 1.1 handlers

// The current offset of each field, by "type.field".
std::map<std::string, size_t> current_offsets() {
#define AT(type, field) \
  { #type "." #field, offsetof(type, field) }
  return {AT(sh_bytes, data),
          AT(sh_bytes, len),
          AT(sh_header, key),
          AT(sh_header, value),
          AT(sh_record, struct_size),
          AT(sh_record, topic),
          AT(sh_record, partition),
          AT(sh_record, offset),
          AT(sh_record, timestamp_ms),
          AT(sh_record, key),
          AT(sh_record, value),
          AT(sh_record, headers),
          AT(sh_record, header_count),
          AT(sh_record, header_size),
          AT(sh_emitter, host_ctx),
          AT(sh_emitter, emit),
          AT(sh_host_api, struct_size),
          AT(sh_host_api, host_ctx),
          AT(sh_host_api, log),
          AT(sh_host_api, observe_seconds),
          AT(sh_host_api, count),
          AT(sh_host_api, monotonic_ns),
          AT(sh_handler_def, name),
          AT(sh_handler_def, description),
          AT(sh_handler_def, process),
          AT(sh_handler_def, emits),
          AT(sh_plugin_descriptor, struct_size),
          AT(sh_plugin_descriptor, abi_major),
          AT(sh_plugin_descriptor, abi_minor),
          AT(sh_plugin_descriptor, name),
          AT(sh_plugin_descriptor, version),
          AT(sh_plugin_descriptor, description),
          AT(sh_plugin_descriptor, config_schema_json),
          AT(sh_plugin_descriptor, instance_create),
          AT(sh_plugin_descriptor, instance_destroy),
          AT(sh_plugin_descriptor, instance_ready),
          AT(sh_plugin_descriptor, handlers),
          AT(sh_plugin_descriptor, handler_count),
          AT(sh_plugin_descriptor, config_check),
          AT(sh_plugin_descriptor, handler_def_size),
          AT(sh_plugin_descriptor, partitions_assigned),
          AT(sh_plugin_descriptor, partitions_revoked)};
#undef AT
}

std::map<std::string, size_t> current_sizes() {
  return {{"sh_bytes", sizeof(sh_bytes)},
          {"sh_header", sizeof(sh_header)},
          {"sh_record", sizeof(sh_record)},
          {"sh_emitter", sizeof(sh_emitter)},
          {"sh_host_api", sizeof(sh_host_api)},
          {"sh_handler_def", sizeof(sh_handler_def)},
          {"sh_plugin_descriptor", sizeof(sh_plugin_descriptor)}};
}

// Every field of an earlier minor keeps its offset, and no struct shrank: minors only append.
void expect_kept(const abi_field_layout* fields, size_t count, const char* minor) {
  const auto offsets = current_offsets();
  const auto sizes = current_sizes();
  for (size_t i = 0; i < count; ++i) {
    const abi_field_layout& old = fields[i];
    const std::string name = std::string(old.type) + "." + old.field;
    ASSERT_TRUE(offsets.count(name)) << name << " of ABI " << minor << " is gone from plugin_api.h";
    EXPECT_EQ(offsets.at(name), old.offset) << name << " moved since ABI " << minor;
    EXPECT_GE(sizes.at(old.type), old.type_size) << old.type << " shrank since ABI " << minor;
  }
}

TEST(AbiLayout, EveryPreviousMinorFieldKeepsItsOffset) {
  // The comparison lists every field of the previous minor, and exactly the two 1.3 added.
  ASSERT_EQ(abi_1_2_field_count + 2, current_offsets().size())
      << "a 1.2 field is missing from the comparison";
  expect_kept(abi_1_2_fields, abi_1_2_field_count, "1.2");
  expect_kept(abi_1_1_fields, abi_1_1_field_count, "1.1");
}

// The frozen 1.1 sizes are what the loader assumes for plugins that do not state their own.
TEST(AbiLayout, TheLoaderAssumesThePreviousMinorSizes) {
  size_t handler_def_1_1 = 0;
  for (size_t i = 0; i < abi_1_1_field_count; ++i) {
    if (std::string(abi_1_1_fields[i].type) == "sh_handler_def")
      handler_def_1_1 = abi_1_1_fields[i].type_size;
  }
  EXPECT_EQ(handler_def_1_1, streamhost::host::kHandlerDefSizeV1);
}

}  // namespace
