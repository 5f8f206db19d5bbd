/*
 * The layout of ABI 1.2, measured by compiling against the frozen 1.2 header
 * (tests/fixtures/abi_1_2/). abi_layout_test.cpp checks that every 1.2 field still sits at the same
 * offset in the current header, so 1.2 plugins keep reading and writing the fields they know.
 */
#include <streamhost/plugin_api.h>

#include "abi_1_1_layout.h" /* abi_field_layout */

#if SH_PLUGIN_ABI_MINOR != 2
#error "abi_1_2_layout.c must be compiled against the frozen ABI 1.2 header"
#endif

#define FIELD(type, field) \
  { #type, #field, offsetof(type, field), sizeof(type) }

const abi_field_layout abi_1_2_fields[] = {
    FIELD(sh_bytes, data),
    FIELD(sh_bytes, len),
    FIELD(sh_header, key),
    FIELD(sh_header, value),
    FIELD(sh_record, struct_size),
    FIELD(sh_record, topic),
    FIELD(sh_record, partition),
    FIELD(sh_record, offset),
    FIELD(sh_record, timestamp_ms),
    FIELD(sh_record, key),
    FIELD(sh_record, value),
    FIELD(sh_record, headers),
    FIELD(sh_record, header_count),
    FIELD(sh_record, header_size),
    FIELD(sh_emitter, host_ctx),
    FIELD(sh_emitter, emit),
    FIELD(sh_host_api, struct_size),
    FIELD(sh_host_api, host_ctx),
    FIELD(sh_host_api, log),
    FIELD(sh_host_api, observe_seconds),
    FIELD(sh_host_api, count),
    FIELD(sh_host_api, monotonic_ns),
    FIELD(sh_handler_def, name),
    FIELD(sh_handler_def, description),
    FIELD(sh_handler_def, process),
    FIELD(sh_handler_def, emits),
    FIELD(sh_plugin_descriptor, struct_size),
    FIELD(sh_plugin_descriptor, abi_major),
    FIELD(sh_plugin_descriptor, abi_minor),
    FIELD(sh_plugin_descriptor, name),
    FIELD(sh_plugin_descriptor, version),
    FIELD(sh_plugin_descriptor, description),
    FIELD(sh_plugin_descriptor, config_schema_json),
    FIELD(sh_plugin_descriptor, instance_create),
    FIELD(sh_plugin_descriptor, instance_destroy),
    FIELD(sh_plugin_descriptor, instance_ready),
    FIELD(sh_plugin_descriptor, handlers),
    FIELD(sh_plugin_descriptor, handler_count),
    FIELD(sh_plugin_descriptor, config_check),
    FIELD(sh_plugin_descriptor, handler_def_size),
};
const size_t abi_1_2_field_count = sizeof abi_1_2_fields / sizeof abi_1_2_fields[0];
