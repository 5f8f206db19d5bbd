#include "plugin/partition_hooks.hpp"

#include <cstring>

#include "plugin/descriptor_read.hpp"

namespace streamhost::host {

bool has_partition_hooks(const PluginInstance& plugin) {
  const sh_plugin_descriptor d = read_descriptor(plugin.descriptor());
  return d.partitions_assigned != nullptr || d.partitions_revoked != nullptr;
}

std::optional<std::string> call_partition_hook(
    const PluginInstance& plugin, PartitionHook hook,
    const std::vector<connector::TopicPartition>& parts) {
  const sh_plugin_descriptor d = read_descriptor(plugin.descriptor());
  const auto fn = hook == PartitionHook::kAssigned ? d.partitions_assigned : d.partitions_revoked;
  if (fn == nullptr || parts.empty()) return std::nullopt;
  std::vector<sh_partition> list;
  list.reserve(parts.size());
  for (const auto& p : parts) list.push_back(sh_partition{p.topic.c_str(), p.partition});
  std::string reason(1024, '\0');
  const sh_status status = fn(plugin.instance(), list.data(), list.size(), sizeof(sh_partition),
                              reason.data(), reason.size());
  if (status == SH_STATUS_OK) return std::nullopt;
  reason.resize(std::strlen(reason.c_str()));
  return "plugin \"" + plugin.name() + "\": partitions_" +
         (hook == PartitionHook::kAssigned ? "assigned" : "revoked") +
         " failed: " + (reason.empty() ? std::string("no reason given") : reason);
}

}  // namespace streamhost::host
