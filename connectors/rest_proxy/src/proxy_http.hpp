// The HTTP side shared by the source and the sink: long-lived cpprestsdk clients (one per proxy
// origin, so connections are kept alive and reused), the Authorization header, TLS trust, retries
// with exponential backoff, and the stats the host reports. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <streamhost/connector/health.hpp>
#include <streamhost/connector/rest_proxy.hpp>
#include <string>
#include <string_view>

namespace web::http::client {
class http_client;
}

namespace streamhost::connector::detail {

struct HttpRequest {
  std::string method;        // "GET", "POST", "DELETE"
  std::string url;           // absolute, already percent-encoded
  std::string body;          // sent only when content_type is set
  std::string content_type;  // exact value; empty: no body, no Content-Type
  std::string accept;        // empty: no Accept header
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

// How hard send() tries. attempts = 1 + retries; no retry starts after `deadline`.
struct RetryPolicy {
  int max_retries = 0;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Each attempt's own timeout; unset: RestProxyOptions::request_timeout.
  std::optional<std::chrono::milliseconds> request_timeout;

  static RetryPolicy retries(int max_retries,
                             std::optional<std::chrono::steady_clock::time_point> deadline = {}) {
    RetryPolicy p;
    p.max_retries = max_retries;
    p.deadline = deadline;
    return p;
  }
  // One attempt with its own timeout.
  static RetryPolicy single(std::chrono::milliseconds timeout) {
    RetryPolicy p;
    p.request_timeout = timeout;
    return p;
  }
};

class ProxyHttp {
 public:
  // Calls init_http_threads(options.http_threads) before creating any client.
  explicit ProxyHttp(const RestProxyOptions& options);
  ~ProxyHttp();
  ProxyHttp(const ProxyHttp&) = delete;
  ProxyHttp& operator=(const ProxyHttp&) = delete;

  // The base URL without credentials and without a trailing slash.
  const std::string& base_url() const { return base_url_; }
  const RestProxyOptions& options() const { return options_; }
  RetryPolicy default_policy() const { return RetryPolicy::retries(options_.max_retries); }

  // Sends `request`, retrying connection failures, timeouts, 5xx and 429 (waiting at least the
  // Retry-After seconds when the proxy gives them) with exponential backoff. Returns the first
  // non-transient response, whatever its status. Throws TransientError when every attempt failed
  // transiently; its message never contains credentials.
  HttpResponse send(const HttpRequest& request, const RetryPolicy& policy);

  // "POST /topics/x: HTTP 422 (error_code 42201): <the proxy's message>", credentials removed.
  std::string describe_failure(const HttpRequest& request, const HttpResponse& response) const;

  // Removes the password and the Authorization token from any text that leaves this library.
  std::string redact(std::string text) const;

  void count_records(uint64_t n);
  void count_recreation();
  ConnectorStats stats() const;

 private:
  // Only send() retries: one request's transport retries are the connector's whole retry policy.
  // Sleeps the backoff for retry number `retry` (0-based), at least `at_least`.
  void backoff(int retry, std::chrono::milliseconds at_least = {}) const;
  void count_retry();
  struct Attempt;
  Attempt attempt_once(const HttpRequest& request, std::chrono::milliseconds timeout);
  // One kept-alive client per origin and timeout (cpprestsdk sets the timeout per client).
  web::http::client::http_client& client_for(std::string_view origin,
                                             std::chrono::milliseconds timeout);
  void record_outcome(bool reachable, const std::string& error);

  RestProxyOptions options_;
  std::string base_url_;
  std::string authorization_;  // "Basic ..." or empty; never printed
  std::mutex clients_mutex_;
  std::map<std::string, std::unique_ptr<web::http::client::http_client>, std::less<>> clients_;
  mutable std::mutex stats_mutex_;
  ConnectorStats stats_;
};

// The path of a URL (no origin, no query) for messages.
std::string_view url_path(std::string_view url);

// Whether an answer looks like a proxy of the other dialect refusing the request (HTTP 400, 415
// or 422 with a schema or validation complaint): describe_failure then names rest_proxy.dialect.
bool looks_like_dialect_mismatch(int status, std::string_view message);

// Percent-encodes one path segment (group, instance or topic name).
std::string encode_path_segment(std::string_view segment);

}  // namespace streamhost::connector::detail
