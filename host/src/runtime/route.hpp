// A route as the runtime runs it: records of `source_topic` go to `handler`; what the handler emits
// without naming a topic goes to `output_topic`.
#pragma once

#include <optional>
#include <string>

#include "plugin/plugin_handle.hpp"

namespace streamhost::host::runtime {

struct Route {
  std::string name;
  std::string source_topic;
  std::optional<std::string> output_topic;
  HandlerRef handler;  // plugin and handler stay valid while the pipeline runs
  // Handler calls of one record before it is dead-lettered; unset: the pipeline's retry setting.
  std::optional<int> max_attempts;

  const std::string& plugin_name() const { return handler.plugin->name(); }
  std::string handler_name() const { return handler.handler->name; }
};

}  // namespace streamhost::host::runtime
