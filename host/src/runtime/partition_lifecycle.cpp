#include "runtime/partition_lifecycle.hpp"

#include <algorithm>

#include "plugin/partition_hooks.hpp"

namespace streamhost::host::runtime {

bool PartitionTicket::enter() {
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  ++calls_;
  return true;
}

void PartitionTicket::leave() {
  std::lock_guard lock(mutex_);
  if (--calls_ == 0) idle_.notify_all();
}

void PartitionTicket::close_and_wait() {
  std::unique_lock lock(mutex_);
  closed_ = true;
  // Handler calls are bounded by the plugin; a call that never returns is reported by liveness.
  idle_.wait(lock, [&] { return calls_ == 0; });
}

PartitionLifecycle::PartitionLifecycle(const std::vector<Route>& routes) {
  for (const Route& route : routes) {
    const PluginInstance* plugin = route.handler.plugin;
    if (plugin == nullptr || !has_partition_hooks(*plugin)) continue;
    auto& list = plugins_by_topic_[route.source_topic];
    if (std::find(list.begin(), list.end(), plugin) == list.end()) list.push_back(plugin);
  }
}

std::vector<const PluginInstance*> PartitionLifecycle::hooked_plugins(
    const std::string& topic) const {
  auto it = plugins_by_topic_.find(topic);
  return it == plugins_by_topic_.end() ? std::vector<const PluginInstance*>{} : it->second;
}

std::shared_ptr<PartitionTicket> PartitionLifecycle::admit(const connector::TopicPartition& tp,
                                                           std::optional<std::string>& error) {
  const auto plugins = hooked_plugins(tp.topic);
  if (plugins.empty()) return nullptr;
  auto& ticket = open_[tp];
  if (ticket) return ticket;
  for (const PluginInstance* plugin : plugins) {
    if (auto failed = call_partition_hook(*plugin, PartitionHook::kAssigned, {tp})) {
      open_.erase(tp);
      error = std::move(failed);
      return nullptr;
    }
  }
  ticket = std::make_shared<PartitionTicket>();
  return ticket;
}

std::optional<std::string> PartitionLifecycle::revoke(
    const std::vector<connector::TopicPartition>& tps) {
  std::map<const PluginInstance*, std::vector<connector::TopicPartition>> by_plugin;
  for (const auto& tp : tps) {
    auto it = open_.find(tp);
    if (it == open_.end()) continue;
    it->second->close_and_wait();
    open_.erase(it);
    for (const PluginInstance* plugin : hooked_plugins(tp.topic)) by_plugin[plugin].push_back(tp);
  }
  std::optional<std::string> first_error;
  for (const auto& [plugin, list] : by_plugin) {
    auto failed = call_partition_hook(*plugin, PartitionHook::kRevoked, list);
    if (failed && !first_error) first_error = std::move(failed);
  }
  return first_error;
}

std::optional<std::string> PartitionLifecycle::revoke_all() {
  std::vector<connector::TopicPartition> all;
  for (const auto& [tp, ticket] : open_) all.push_back(tp);
  return revoke(all);
}

}  // namespace streamhost::host::runtime
