// The bearer token of the mutating management endpoints: where it is read from at start-up and
// how a request's Authorization header is checked against it. The token itself never reaches a
// log line or an error message.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "manifest/interpolate.hpp"
#include "manifest/manifest.hpp"

namespace streamhost::host::admin {

class AdminTokenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the token admin.token_file or admin.token_env names; nullopt when neither is set. Throws
// AdminTokenError naming the file or variable (never the token) when it cannot be read, is unset
// or holds only whitespace. Surrounding whitespace (a file's trailing newline) is not part of it.
std::optional<std::string> load_admin_token(const AdminSpec& admin,
                                            const EnvLookup& env = process_env());

// The shortest token the admin endpoint accepts: 16 characters. A guessable token guards nothing;
// `openssl rand -hex 32` gives 64.
inline constexpr size_t kMinAdminTokenLength = 16;

// Throws AdminTokenError, naming where the token came from (never the token), when it is shorter
// than kMinAdminTokenLength. The server side checks it at start; a client only sends what it has.
void require_strong_admin_token(const std::string& token, const AdminSpec& admin);

// load_admin_token, then require_strong_admin_token on what it read: what `validate`, the start
// of `run` and the running pipeline all check, so they refuse the same tokens the same way.
std::optional<std::string> load_strong_admin_token(const AdminSpec& admin,
                                                   const EnvLookup& env = process_env());

// Compares in time that depends only on the lengths, never on where the first difference is, so
// timing a wrong guess reveals nothing about the token.
bool constant_time_equals(std::string_view a, std::string_view b);

// Whether an Authorization header value carries `token` ("Bearer <token>", scheme
// case-insensitive). No token configured (nullopt): every request is allowed.
bool bearer_allows(const std::optional<std::string>& token, std::string_view authorization);

}  // namespace streamhost::host::admin
