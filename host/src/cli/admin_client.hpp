// The client side of the management API for `streamhost status`, `pause` and `resume`: where the
// admin endpoint is, which token to send, and one HTTP call to it.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace streamhost::host {

// The host cannot be reached (refused, timed out, not HTTP). The message names the URL and says
// what to check.
class AdminUnreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Options every admin command takes.
struct AdminTarget {
  std::string url = "http://127.0.0.1:18080";
  std::optional<std::string> token;
  // --allow-insecure-token: the operator accepts sending the token over plain http to a host
  // that is not this machine (a trusted network, a tunnel the CLI cannot see).
  bool allow_insecure_token = false;
};

// Whether a request with `method` to target.url carries target.token. Only POST does: the
// admin endpoint asks for the token on its mutating endpoints alone, so a GET (status) never
// exposes it. Throws std::invalid_argument, naming the fix, when a POST would send it over
// plain http:// to a host that is not loopback (127.0.0.0/8, ::1, localhost, parsed, see
// url::is_loopback_host) and allow_insecure_token is not set.
bool sends_token(const AdminTarget& target, const std::string& method);

// Parses --admin URL, -f/--file MANIFEST, --token-file FILE and --allow-insecure-token (plus
// `extra` flags with a value, e.g. "--route", stored in `values`). The URL: --admin, else the
// manifest's admin.bind and port (a wildcard bind is reached on 127.0.0.1), else
// http://127.0.0.1:18080. The token:
// --token-file, else $STREAMHOST_ADMIN_TOKEN, else what the manifest's admin.token_file or
// admin.token_env names. Throws std::invalid_argument for a usage error, std::runtime_error when a
// manifest or token file cannot be read.
AdminTarget parse_admin_target(const std::vector<std::string>& args,
                               const std::vector<std::string>& extra,
                               std::vector<std::pair<std::string, std::string>>& values);

struct AdminReply {
  int status = 0;
  std::string body;
};

// One request to target.url + path, with the token as a bearer token when sends_token says so.
// Throws std::invalid_argument when sends_token refuses (before any connection), AdminUnreachable
// when no HTTP answer came within the timeout.
AdminReply admin_request(const AdminTarget& target, const std::string& method,
                         const std::string& path);

}  // namespace streamhost::host
