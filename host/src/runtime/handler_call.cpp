#include "runtime/handler_call.hpp"

namespace streamhost::host::runtime {

HandlerResult call_handler(const Route& route, const connector::ConsumedRecord& record) {
  return call_plugin_handler(
      HandlerTarget{route.handler.handler, route.handler.plugin->instance(), &route.output_topic,
                    &route.plugin_name(), route.handler.plugin->descriptor().abi_minor},
      record);
}

}  // namespace streamhost::host::runtime
