#include "cli/admin_client.hpp"

#include <cpprest/http_client.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <streamhost/connector/rest_proxy.hpp>
#include <streamhost/net/bounded_body.hpp>
#include <streamhost/redact/url.hpp>

#include "admin/admin_token.hpp"
#include "manifest/admin_settings.hpp"
#include "manifest/manifest_loader.hpp"

namespace streamhost::host {
namespace {

constexpr std::chrono::seconds kTimeout{10};
// A status answer for hundreds of partitions is tens of KiB; a far bigger one is refused unread.
constexpr size_t kMaxAnswerBytes = 8u << 20;

std::string read_token_file(const std::string& path) {
  AdminSpec spec;
  spec.token_file = path;
  try {
    return *admin::load_admin_token(spec);
  } catch (const admin::AdminTokenError&) {
    // Named for this command's flag rather than the manifest key.
    throw std::runtime_error("--token-file " + path + ": cannot be read or is empty");
  }
}

std::string url_from_admin(const AdminSpec& admin) {
  std::string host = admin.bind;
  if (host == "0.0.0.0" || host == "::" || host == "[::]") host = "127.0.0.1";
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(admin.port);
}

}  // namespace

AdminTarget parse_admin_target(const std::vector<std::string>& args,
                               const std::vector<std::string>& extra,
                               std::vector<std::pair<std::string, std::string>>& values) {
  std::optional<std::string> url, manifest_path, token_file;
  bool allow_insecure_token = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw std::invalid_argument(a + " needs a value");
      return args[++i];
    };
    if (a == "--admin") {
      url = value();
    } else if (a.starts_with("--admin=")) {
      url = a.substr(8);
    } else if (a == "-f" || a == "--file") {
      manifest_path = value();
    } else if (a == "--token-file") {
      token_file = value();
    } else if (a == "--allow-insecure-token") {
      allow_insecure_token = true;
    } else if (std::find(extra.begin(), extra.end(), a) != extra.end()) {
      values.emplace_back(a, value());
    } else {
      throw std::invalid_argument("unexpected argument \"" + a + "\"");
    }
  }
  AdminTarget target;
  target.allow_insecure_token = allow_insecure_token;
  // Only the manifest's admin settings: the operator's shell need not hold the pipeline's other
  // variables (topics, passwords) just to find its admin port.
  std::optional<AdminSpec> admin_spec;
  if (manifest_path) admin_spec = read_admin_settings(*manifest_path);
  if (url) {
    target.url = *url;
  } else if (admin_spec) {
    target.url = url_from_admin(*admin_spec);
  }
  while (!target.url.empty() && target.url.back() == '/') target.url.pop_back();
  if (!target.url.starts_with("http://") && !target.url.starts_with("https://")) {
    throw std::invalid_argument("--admin must be an http:// or https:// URL, got \"" + target.url +
                                "\"");
  }
  if (token_file) {
    target.token = read_token_file(*token_file);
  } else if (const char* env = std::getenv("STREAMHOST_ADMIN_TOKEN"); env && *env) {
    target.token = std::string(env);
  } else if (admin_spec) {
    target.token = admin::load_admin_token(*admin_spec);
  }
  return target;
}

bool sends_token(const AdminTarget& target, const std::string& method) {
  if (!target.token || method != "POST") return false;
  if (url::is_https(target.url) || target.allow_insecure_token) return true;
  const auto parts = url::split_url(target.url);
  if (parts && url::is_loopback_host(url::host_without_port(parts->host_port))) return true;
  throw std::invalid_argument(
      "refusing to send the admin token over plain http to " + url::without_secrets(target.url) +
      ", where anyone on the path can read it: use an https:// URL, reach the host on a loopback "
      "address (an SSH tunnel), or pass --allow-insecure-token if this network is trusted");
}

AdminReply admin_request(const AdminTarget& target, const std::string& method,
                         const std::string& path) {
  const bool with_token = sends_token(target, method);  // refuses before any connection
  connector::init_http_threads(2);  // one request at a time: cpprestsdk's 40 are not needed
  try {
    web::http::client::http_client_config config;
    config.set_timeout(std::chrono::duration_cast<std::chrono::microseconds>(kTimeout));
    web::http::client::http_client client(web::uri(target.url), config);
    web::http::http_request request{web::http::method(method)};
    request.set_request_uri(web::uri(path));
    request.headers().add("Accept", "application/json");
    if (with_token) request.headers().add("Authorization", "Bearer " + *target.token);
    pplx::cancellation_token_source cancel;
    web::http::http_response response = client.request(request, cancel.get_token()).get();
    try {
      std::string body =
          net::read_body(response.body(), kMaxAnswerBytes, net::Overflow::kStop).get();
      return {response.status_code(), std::move(body)};
    } catch (const net::BodyTooLarge&) {
      cancel.cancel();  // closes the connection: the rest of the answer is not read
      throw AdminUnreachable("the admin endpoint at " + target.url + " answered over " +
                             std::to_string(kMaxAnswerBytes) + " bytes");
    }
  } catch (const AdminUnreachable&) {
    throw;
  } catch (const std::exception& e) {
    throw AdminUnreachable("cannot reach the admin endpoint at " + target.url + ": " + e.what() +
                           " (is `streamhost run` running there? use --admin URL or -f MANIFEST)");
  }
}

}  // namespace streamhost::host
