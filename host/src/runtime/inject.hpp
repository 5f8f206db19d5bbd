// Testing mode: runs a route's handler on a posted body without Kafka and returns what it emitted.
// Nothing is produced or committed; the record has partition and offset -1.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/handler_call.hpp"
#include "runtime/route.hpp"

namespace streamhost::host::runtime {

struct InjectResult {
  bool route_found = false;
  HandlerResult handler;
};

class Injector {
 public:
  // `routes` must outlive the injector.
  explicit Injector(const std::vector<Route>& routes) : routes_(routes) {}

  // Thread-safe as far as the handler is (handlers may run concurrently by contract).
  InjectResult inject(const std::string& route, std::optional<std::string> key,
                      std::string value) const;

 private:
  const std::vector<Route>& routes_;
};

}  // namespace streamhost::host::runtime
