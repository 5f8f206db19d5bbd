// What GET /pipeline/config shows: the effective manifest with its secrets replaced, under the
// project's one redaction rule (common/redact/include/streamhost/redact/redact.hpp, documented in
// docs/security.md and docs/admin-api.md): secret keys at every depth (plugin configs and
// consumer.properties included), URL credentials and secret query parameters, `password=` inside
// DSNs, name/value lists naming a secret.
#pragma once

#include <streamhost/redact/redact.hpp>
#include <string>
#include <string_view>

namespace streamhost::host::admin {

inline constexpr std::string_view kRedacted = redact::kRedacted;

// Whether a member named `key` holds a secret under the rule above.
inline bool is_secret_key(std::string_view key) {
  return redact::is_secret_key(key);
}

// `json_text` with every secret replaced. Throws std::invalid_argument when it is not JSON.
std::string redact_config(const std::string& json_text);

}  // namespace streamhost::host::admin
