#include "admin/config_redaction.hpp"

#include <stdexcept>

namespace streamhost::host::admin {

std::string redact_config(const std::string& json_text) {
  try {
    return redact::redact_json(json_text);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("the effective manifest is not JSON");
  }
}

}  // namespace streamhost::host::admin
