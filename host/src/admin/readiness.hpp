// What GET /readyz reports: one check per component, ready only when every check passes.
#pragma once

#include <string>
#include <vector>

namespace streamhost::host::admin {

struct ReadinessCheck {
  std::string name;  // "source", "sink", "pipeline", "plugin:<name>"
  bool ok = true;
  std::string detail;  // why it is not ready; empty when ok
};

struct ReadinessReport {
  std::vector<ReadinessCheck> checks;

  bool ready() const;
  void add(std::string name, bool ok, std::string detail = {});
  // {"ready":false,"checks":[{"name":"source","ok":false,"detail":"..."}, ...]}
  std::string to_json() const;
};

}  // namespace streamhost::host::admin
