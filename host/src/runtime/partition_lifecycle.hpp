// The partition hooks' ordering guarantee (plugin_api.h, ABI 1.3) kept by the runtime:
//   - assigned: called by the poll thread before the first record of a partition it had not seen
//     (since the last revocation) is dispatched;
//   - revoked: called by the poll thread once the partition is gone (rebalance, consumer
//     recreated, shutdown) and every handler call for it has returned; a record of it that a
//     worker takes later (queued, or parked for a retry) is abandoned uncalled, and Kafka delivers
//     it again to the partition's next owner.
// Workers bracket each handler call with a Ticket's enter()/leave(). All other methods are for
// the poll thread only.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <streamhost/connector/record.hpp>
#include <string>
#include <vector>

#include "runtime/route.hpp"

namespace streamhost::host::runtime {

// One assignment of one partition: its records' handler calls run while it is open.
class PartitionTicket {
 public:
  // False when the partition was revoked since the record was dispatched: do not call.
  bool enter();
  void leave();
  // Closes the ticket and waits until no handler call holds it.
  void close_and_wait();

 private:
  std::mutex mutex_;
  std::condition_variable idle_;
  size_t calls_ = 0;
  bool closed_ = false;
};

class PartitionLifecycle {
 public:
  explicit PartitionLifecycle(const std::vector<Route>& routes);

  // The ticket for a record of `tp` about to be dispatched, calling partitions_assigned first when
  // `tp` is new. nullptr when no plugin reading `tp`'s topic has hooks (no bookkeeping needed).
  // Sets `error` to the plugin's reason when the hook failed (the caller stops as FATAL).
  std::shared_ptr<PartitionTicket> admit(const connector::TopicPartition& tp,
                                         std::optional<std::string>& error);
  // Revokes the given partitions (those not admitted are ignored): closes their tickets, waits for
  // their handler calls, then calls partitions_revoked. Returns the first hook failure.
  std::optional<std::string> revoke(const std::vector<connector::TopicPartition>& tps);
  std::optional<std::string> revoke_all();

 private:
  std::vector<const PluginInstance*> hooked_plugins(const std::string& topic) const;

  std::map<std::string, std::vector<const PluginInstance*>> plugins_by_topic_;  // hooked only
  std::map<connector::TopicPartition, std::shared_ptr<PartitionTicket>> open_;
};

}  // namespace streamhost::host::runtime
