#include "proxy_http.hpp"

#include <cpprest/http_client.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <random>
#include <stdexcept>
#include <streamhost/connector/errors.hpp>
#include <streamhost/net/bounded_body.hpp>
#include <streamhost/net/tcp_no_delay.hpp>
#include <streamhost/redact/redact.hpp>
#include <streamhost/redact/url.hpp>
#include <thread>

#include "base64.hpp"
#include "dialect.hpp"

namespace streamhost::connector::detail {
namespace {

constexpr std::chrono::seconds kMaxRetryAfter{60};

std::string trim_trailing_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::string_view origin_of(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return url;
  const size_t path_start = url.find('/', scheme_end + 3);
  return path_start == std::string_view::npos ? url : url.substr(0, path_start);
}

std::optional<std::chrono::milliseconds> parse_retry_after(const web::http::http_headers& headers) {
  auto it = headers.find("Retry-After");
  if (it == headers.end()) return std::nullopt;
  const std::string& value = it->second;
  if (value.empty() || !std::all_of(value.begin(), value.end(), ::isdigit) || value.size() > 6) {
    return std::nullopt;  // an HTTP-date: fall back to our own backoff
  }
  return std::chrono::seconds(std::stol(value));
}

}  // namespace

std::string_view url_path(std::string_view url) {
  std::string_view rest = url.substr(origin_of(url).size());
  return rest.substr(0, rest.find('?'));
}

std::string encode_path_segment(std::string_view segment) {
  return web::uri::encode_data_string(std::string(segment));
}

struct ProxyHttp::Attempt {
  bool transport_failed = false;
  std::string transport_error;
  HttpResponse response;
  std::optional<std::chrono::milliseconds> retry_after;
};

ProxyHttp::ProxyHttp(const RestProxyOptions& options) : options_(options) {
  init_http_threads(options.http_threads);
  web::uri parsed;
  try {
    parsed = web::uri(options.base_url);
  } catch (const std::exception&) {
    // The URL itself may hold credentials, so it is not repeated here.
    throw std::invalid_argument("REST proxy base URL is not a valid URL");
  }
  if ((parsed.scheme() != "http" && parsed.scheme() != "https") || parsed.host().empty()) {
    throw std::invalid_argument("REST proxy base URL must be http://host[:port] or https://...");
  }
  std::string user = options.basic_auth_user;
  std::string password = options.basic_auth_password;
  if (!parsed.user_info().empty() && user.empty()) {
    // http://user:password@host is accepted and turned into the Authorization header.
    const std::string info = web::uri::decode(parsed.user_info());
    const size_t colon = info.find(':');
    user = info.substr(0, colon);
    password = colon == std::string::npos ? "" : info.substr(colon + 1);
  }
  options_.basic_auth_user = user;
  options_.basic_auth_password = password;
  web::uri_builder clean(parsed);
  clean.set_user_info("");
  base_url_ = trim_trailing_slashes(clean.to_string());
  if (!user.empty()) authorization_ = "Basic " + base64_encode(user + ":" + password);

  if (!options_.tls_ca_file.empty() && !std::ifstream(options_.tls_ca_file).good()) {
    throw std::invalid_argument("TLS CA file is not readable: " + options_.tls_ca_file);
  }
}

ProxyHttp::~ProxyHttp() = default;

web::http::client::http_client& ProxyHttp::client_for(std::string_view origin,
                                                      std::chrono::milliseconds timeout) {
  const std::string key = std::string(origin) + " " + std::to_string(timeout.count());
  std::lock_guard lock(clients_mutex_);
  auto it = clients_.find(key);
  if (it != clients_.end()) return *it->second;
  web::http::client::http_client_config config;
  config.set_timeout(timeout);
  config.set_validate_certificates(options_.tls_verify);
  if (!options_.tls_ca_file.empty()) {
    const std::string ca_file = options_.tls_ca_file;
    config.set_ssl_context_callback(
        [ca_file](boost::asio::ssl::context& context) { context.load_verify_file(ca_file); });
  }
  // TLS or not from the parsed scheme, as cpprestsdk decides it: "HTTPS://" is TLS too.
  net::disable_nagle(config, url::is_https(origin));
  auto client = std::make_unique<web::http::client::http_client>(std::string(origin), config);
  auto& ref = *client;
  clients_.emplace(key, std::move(client));
  return ref;
}

ProxyHttp::Attempt ProxyHttp::attempt_once(const HttpRequest& request,
                                           std::chrono::milliseconds timeout) {
  Attempt attempt;
  try {
    const std::string_view origin = origin_of(request.url);
    web::http::http_request message{web::http::method(request.method)};
    message.set_request_uri(web::uri(std::string(request.url.substr(origin.size()))));
    if (!request.accept.empty()) message.headers().add("Accept", request.accept);
    if (!authorization_.empty()) message.headers().add("Authorization", authorization_);
    // The utf8 overload sends the content type unchanged (no "; charset=" appended).
    if (!request.content_type.empty()) message.set_body(request.body, request.content_type);
    pplx::cancellation_token_source cancel;
    web::http::http_response response =
        client_for(origin, timeout).request(message, cancel.get_token()).get();
    attempt.response.status = response.status_code();
    attempt.retry_after = parse_retry_after(response.headers());
    try {
      attempt.response.body =
          net::read_body(response.body(), options_.max_response_bytes, net::Overflow::kStop).get();
    } catch (const net::BodyTooLarge& e) {
      cancel.cancel();  // closes the connection: the rest of the reply is not read
      attempt.transport_failed = true;
      attempt.transport_error = std::string("the reply is over the limit of ") +
                                std::to_string(e.limit()) +
                                " bytes (for polls: lower the consumer's fetch.max.bytes and "
                                "max.partition.fetch.bytes)";
    }
  } catch (const std::exception& e) {
    attempt.transport_failed = true;
    attempt.transport_error = e.what();
  }
  return attempt;
}

HttpResponse ProxyHttp::send(const HttpRequest& request, const RetryPolicy& policy) {
  for (int retry = 0;; ++retry) {
    {
      std::lock_guard lock(stats_mutex_);
      ++stats_.requests;
    }
    Attempt attempt =
        attempt_once(request, policy.request_timeout.value_or(options_.request_timeout));
    if (!attempt.transport_failed && !is_transient_status(attempt.response.status)) {
      record_outcome(true, "");
      return std::move(attempt.response);
    }
    std::string error =
        attempt.transport_failed
            ? redact(request.method + " " + std::string(url_path(request.url)) + " to " +
                     std::string(origin_of(request.url)) + ": " + attempt.transport_error)
            : describe_failure(request, attempt.response);
    record_outcome(false, error);
    if (retry >= policy.max_retries) {
      throw TransientError(error + " (gave up after " + std::to_string(retry + 1) + " attempts)");
    }
    auto wait = std::chrono::milliseconds(0);
    if (attempt.retry_after) {
      wait = std::min<std::chrono::milliseconds>(*attempt.retry_after, kMaxRetryAfter);
    }
    if (policy.deadline && std::chrono::steady_clock::now() + wait > *policy.deadline) {
      throw TransientError(error + " (no time left to retry)");
    }
    backoff(retry, wait);
    count_retry();
  }
}

void ProxyHttp::backoff(int retry, std::chrono::milliseconds at_least) const {
  using std::chrono::milliseconds;
  const int shift = std::min(retry, 20);
  milliseconds delay =
      std::min(options_.retry_backoff_initial * (int64_t{1} << shift), options_.retry_backoff_max);
  // Equal jitter: replicas that failed together do not retry in lockstep.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const int64_t half = delay.count() / 2;
  delay = milliseconds(half + (half > 0 ? int64_t(rng() % uint64_t(half + 1)) : 0));
  std::this_thread::sleep_for(std::max(delay, at_least));
}

std::string ProxyHttp::describe_failure(const HttpRequest& request,
                                        const HttpResponse& response) const {
  const ProxyError error = parse_proxy_error(response.body);
  std::string text = request.method + " " + std::string(url_path(request.url)) + ": HTTP " +
                     std::to_string(response.status);
  if (error.error_code) text += " (error_code " + std::to_string(*error.error_code) + ")";
  if (!error.message.empty()) text += ": " + error.message;
  if (looks_like_dialect_mismatch(response.status, error.message)) {
    const bool strimzi = options_.dialect == Dialect::kStrimzi;
    text += std::string(
                " (the proxy refused the request's shape: check rest_proxy.dialect; this "
                "host speaks ") +
            (strimzi ? "strimzi, the Strimzi Kafka Bridge's API"
                     : "confluent, Confluent's REST "
                       "Proxy v2 API") +
            ")";
  }
  return redact(std::move(text));
}

bool looks_like_dialect_mismatch(int status, std::string_view message) {
  // The two dialects differ in content types, consumer-creation keys and paths; a proxy of the
  // other kind answers 400/415/422 with a schema or validation complaint (the Strimzi bridge:
  // "Schema validation error", Confluent's proxy: "Unrecognized field" or an unsupported media
  // type).
  if (status != 400 && status != 415 && status != 422) return false;
  std::string lower(message);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* sign : {"schema validation", "validation error", "unrecognized field",
                           "unsupported media type", "content-type", "content type"}) {
    if (lower.find(sign) != std::string::npos) return true;
  }
  return status == 415;
}

std::string ProxyHttp::redact(std::string text) const {
  auto replace_all = [&text](const std::string& secret) {
    if (secret.size() < 3) return;  // too short to redact without mangling ordinary words
    for (size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + 5)) {
      text.replace(pos, secret.size(), "*****");
    }
  };
  if (!authorization_.empty()) replace_all(authorization_.substr(6));  // the base64 token
  replace_all(options_.basic_auth_password);
  // And the project's one rule (common/redact), for what the proxy's own errors quote.
  return ::streamhost::redact::redact_text(text);
}

void ProxyHttp::record_outcome(bool reachable, const std::string& error) {
  std::lock_guard lock(stats_mutex_);
  stats_.reachable = reachable;
  stats_.last_error = reachable ? "" : error;
  if (!reachable) ++stats_.transient_errors;
}

void ProxyHttp::count_records(uint64_t n) {
  std::lock_guard lock(stats_mutex_);
  stats_.records += n;
}

void ProxyHttp::count_retry() {
  std::lock_guard lock(stats_mutex_);
  ++stats_.retries;
}

void ProxyHttp::count_recreation() {
  std::lock_guard lock(stats_mutex_);
  ++stats_.instance_recreations;
}

ConnectorStats ProxyHttp::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

}  // namespace streamhost::connector::detail
