// One handler call through the C ABI: a record in, the status, reason and emitted records out. The
// runtime's workers, its testing-mode inject endpoint and the SDK's test harness all call handlers
// through here, so a test sees exactly what a pipeline does.
#pragma once

#include <streamhost/plugin_api.h>

#include <optional>
#include <streamhost/connector/record.hpp>
#include <string>
#include <vector>

namespace streamhost::host {

struct EmittedRecord {
  std::string topic;  // resolved: the route's output topic or the one the handler named
  std::optional<std::string> key;  // nullopt: a null key
  std::string value;
};

struct HandlerResult {
  sh_status status = SH_STATUS_OK;
  std::string reason;  // set for anything but OK
  std::vector<EmittedRecord> outputs;
  double seconds = 0.0;  // the handler's own duration
};

// What a call runs and where its outputs may go. Pointers only, so a call copies nothing; all must
// outlive the call.
struct HandlerTarget {
  const sh_handler_def* handler = nullptr;  // host layout (PluginLibrary::handlers)
  void* instance = nullptr;                 // what instance_create returned
  const std::optional<std::string>* output_topic = nullptr;  // the route's; nullopt: it has none
  const std::string* plugin_name = nullptr;                  // the manifest's name, for messages
  uint32_t plugin_abi_minor = SH_PLUGIN_ABI_MINOR;  // the descriptor's: how it walks the headers
};

// Runs the handler on the calling thread. The host refuses (emit returns non-zero) an emit without
// a topic when there is no output topic, and an emit the handler's declared sh_emits does not
// allow. Non-OK results carry no outputs; a status outside the closed enum becomes FATAL.
HandlerResult call_plugin_handler(const HandlerTarget& target,
                                  const connector::ConsumedRecord& record);

}  // namespace streamhost::host
