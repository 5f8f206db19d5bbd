// The ABI 1.3 partition hooks through the C ABI: the runtime's poll thread and the SDK's harness
// call them through here. A plugin built before 1.3 has none (read_descriptor reads them as NULL).
#pragma once

#include <optional>
#include <streamhost/connector/record.hpp>
#include <string>
#include <vector>

#include "plugin/plugin_handle.hpp"

namespace streamhost::host {

enum class PartitionHook { kAssigned, kRevoked };

// Whether the plugin has either hook (so the runtime can skip the bookkeeping for plugins without).
bool has_partition_hooks(const PluginInstance& plugin);

// Calls the hook (nothing when the plugin lacks it). Returns the plugin's reason when it answered
// anything but OK, which the caller treats as FATAL.
std::optional<std::string> call_partition_hook(const PluginInstance& plugin, PartitionHook hook,
                                               const std::vector<connector::TopicPartition>& parts);

}  // namespace streamhost::host
