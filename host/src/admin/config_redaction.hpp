// What GET /pipeline/config shows: the effective manifest with its secrets replaced. The rule,
// documented in docs/admin-api.md:
//   - a member whose key, lower-cased, contains "password", "passwd", "secret", "token",
//     "credential", "api_key", "apikey", "private_key", "authorization" or "jaas" has its value
//     (whatever its type: a string, a number, a whole object) replaced by "[redacted]", unless the
//     key ends in "_file" or "_env": those name where a secret lives, not the secret;
//   - the password of any URL with credentials in it (scheme://user:password@host) becomes
//     "[redacted]", wherever the URL appears;
//   - this holds at every depth, plugin configs and consumer.properties included.
#pragma once

#include <string>
#include <string_view>

namespace streamhost::host::admin {

inline constexpr std::string_view kRedacted = "[redacted]";

// Whether a member named `key` holds a secret under the rule above.
bool is_secret_key(std::string_view key);

// `json_text` with every secret replaced. Throws std::invalid_argument when it is not JSON.
std::string redact_config(const std::string& json_text);

}  // namespace streamhost::host::admin
