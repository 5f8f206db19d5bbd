#include "runtime/inject.hpp"

#include <chrono>

namespace streamhost::host::runtime {

InjectResult Injector::inject(const std::string& route_name, std::optional<std::string> key,
                              std::string value) const {
  InjectResult result;
  for (const auto& route : routes_) {
    if (route.name != route_name) continue;
    result.route_found = true;
    connector::ConsumedRecord record;
    record.topic = route.source_topic;
    record.partition = -1;
    record.offset = -1;
    record.key = std::move(key);
    record.value = std::move(value);
    record.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    result.handler = call_handler(route, record);
    break;
  }
  return result;
}

}  // namespace streamhost::host::runtime
