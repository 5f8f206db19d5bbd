#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <stdexcept>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/http_scorer.hpp>
#include <streamhost/coupon/schemas.hpp>
#include <streamhost/json/bounded_parse.hpp>
#include <streamhost/net/bounded_body.hpp>
#include <streamhost/net/tcp_no_delay.hpp>
#include <streamhost/redact/redact.hpp>
#include <streamhost/redact/url.hpp>

namespace streamhost::coupon {
namespace {

using web::http::client::http_client;
using web::http::client::http_client_config;

std::string base_of(const web::uri& uri) {
  return utility::conversions::to_utf8string(uri.scheme()) + "://" +
         utility::conversions::to_utf8string(uri.host()) +
         (uri.port() > 0 ? ":" + std::to_string(uri.port()) : "");
}

web::uri parse_url(const std::string& url) {
  try {
    web::uri uri(utility::conversions::to_string_t(url));
    if ((uri.scheme() != U("http") && uri.scheme() != U("https")) || uri.host().empty()) {
      throw std::invalid_argument("");
    }
    return uri;
  } catch (const std::exception&) {
    // Never the URL itself: it may carry a token as its user or in its query.
    throw std::invalid_argument("scorer url must be http(s)://host[:port][/path], got \"" +
                                redact::redact_url(url) + "\"");
  }
}

http_client make_client(const std::string& url, std::chrono::milliseconds timeout,
                        const std::string& ca_file) {
  http_client_config config;
  config.set_timeout(timeout);
  if (!ca_file.empty()) {
    config.set_ssl_context_callback(
        [ca_file](boost::asio::ssl::context& context) { context.load_verify_file(ca_file); });
  }
  // TLS or not from the parsed scheme, as cpprestsdk decides it: "HTTPS://" is TLS too.
  net::disable_nagle(config, url::is_https(url));
  return http_client(utility::conversions::to_string_t(base_of(parse_url(url))), config);
}

// The URL is the one the original recommendation service was given: the full address that is
// POSTed to (http://host:8001/score), used as it is.
std::string path_of(const std::string& url) {
  const web::uri uri = parse_url(url);
  std::string path = utility::conversions::to_utf8string(uri.path());
  if (path.empty()) path = "/";
  if (!uri.query().empty()) path += "?" + utility::conversions::to_utf8string(uri.query());
  return path;
}

// The original prediction service answers GET /healthcheck beside POST /score; a scorer mounted
// under a prefix (http://gw/coupons/score) has it under the same prefix (/coupons/healthcheck).
std::string healthcheck_path_of(const std::string& url) {
  std::string path = utility::conversions::to_utf8string(parse_url(url).path());
  const size_t slash = path.rfind('/');
  return (slash == std::string::npos ? std::string("/") : path.substr(0, slash + 1)) +
         "healthcheck";
}

// 4xx answers that say this request's content can never be scored. Others (401, 403, 404, 405,
// 408, 429, ...) say the scorer is misconfigured, unauthorised or busy: retrying later can work,
// and dead-lettering every event because of a wrong URL would throw the stream away.
bool refuses_the_input(int status) {
  return status == 400 || status == 413 || status == 414 || status == 415 || status == 422;
}

// An answer for ~1,000 coupons is ~60 KB; one far bigger is refused as soon as its first byte
// past the limit arrives, whether it announced its length or came chunked.
constexpr size_t kMaxAnswerBytes = 16u << 20;

// The request never got an answer, and not for lack of time: typically a kept-alive connection
// the scorer had closed. Only this is tried again within one call; a timeout, an HTTP error or a
// bad answer goes straight to the host, whose RETRY backoff owns everything after one request.
struct ConnectionFailed : TransientError {
  using TransientError::TransientError;
};

bool is_timeout(const web::http::http_exception& e) {
  return e.error_code() == std::make_error_code(std::errc::timed_out);
}

}  // namespace

void check_scorer_url(const std::string& url) {
  parse_url(url);
}

void decode_scorer_response(std::string_view body, int64_t customer_id,
                            const CategoryCoupons& coupons, std::vector<double>& predictions) {
  rapidjson::Document doc;
  if (const json::ParseError e = json::parse_bounded(doc, body)) {
    throw TransientError("scorer answered malformed JSON at offset " + std::to_string(e.offset) +
                         ": " + e.message);
  }
  if (auto why = schema(SchemaId::kScorerResponse).check(doc)) {
    throw TransientError("scorer answer does not match its schema: " + *why);
  }
  const size_t n = coupons.coupons.size();
  predictions.assign(n, 0.0);
  std::vector<bool> seen(n, false);
  size_t count = 0;
  for (const auto& item : doc.GetArray()) {
    if (!item["customer_id"].IsInt64() || item["customer_id"].GetInt64() != customer_id) {
      throw TransientError("scorer answered for another customer");
    }
    if (!item["coupon_id"].IsInt64()) throw TransientError("scorer answered an unknown coupon_id");
    const int64_t coupon_id = item["coupon_id"].GetInt64();
    auto it = coupons.index_of.find(coupon_id);
    if (it == coupons.index_of.end()) {
      throw TransientError("scorer answered coupon_id " + std::to_string(coupon_id) +
                           " which was not requested");
    }
    if (seen[it->second]) {
      throw TransientError("scorer answered coupon_id " + std::to_string(coupon_id) + " twice");
    }
    seen[it->second] = true;
    predictions[it->second] = item["prediction"].GetDouble();
    ++count;
  }
  if (count != n) {
    throw TransientError("scorer answered " + std::to_string(count) + " of " + std::to_string(n) +
                         " requested coupons");
  }
}

HttpScorer::HttpScorer(HttpScorerOptions options, SteadyClock clock)
    : options_(std::move(options)),
      score_path_(path_of(options_.url)),
      healthcheck_path_(healthcheck_path_of(options_.url)),
      client_(make_client(options_.url, options_.timeout, options_.ca_file)),
      breaker_(options_.breaker_failure_threshold, options_.breaker_open_for, std::move(clock)) {}

void HttpScorer::score(const CustomerInfo& customer, const CategoryCoupons& coupons,
                       std::vector<double>& predictions) {
  if (coupons.coupons.empty()) {
    predictions.clear();
    return;
  }
  // The API requires every customer field: a row with a NULL can never be scored.
  if (const CustomerFieldDef* unknown = first_unknown_field(customer)) {
    throw RejectError("customer " + std::to_string(customer.customer_id) + " has no " +
                      unknown->name + " (NULL in customer_info); the scorer API requires " +
                      unknown->wire);
  }
  // The coupons fragment was checked when the catalog was built; check the customer part here.
  const std::string customer_json = customer_to_json(customer);
  {
    rapidjson::Document request;
    request.Parse("{\"customer\":" + customer_json + ",\"coupons\":[]}");
    if (auto why = schema(SchemaId::kScorerRequest).check(request)) {
      // Built from the database's own row: a mismatch means this customer can never be scored.
      throw RejectError("scorer request for customer " + std::to_string(customer.customer_id) +
                        " does not match its schema: " + *why);
    }
  }
  std::string body;
  body.reserve(coupons.coupons_json.size() + customer_json.size() + 32);
  body += "{\"customer\":";
  body += customer_json;
  body += ",\"coupons\":";
  body += coupons.coupons_json;
  body += '}';
  if (!breaker_.allow()) throw TransientError("scorer circuit breaker is open (failing fast)");
  std::string last_error;
  int attempts = 0;
  while (attempts <= options_.retries) {
    ++attempts;
    try {
      attempt(body, customer, coupons, predictions);
      breaker_.record_success();
      return;
    } catch (const RejectError&) {
      // The scorer answered, and refused this input: it is up, and retrying cannot help.
      breaker_.record_success();
      throw;
    } catch (const ConnectionFailed& e) {
      last_error = e.what();
    } catch (const TransientError& e) {
      last_error = e.what();
      break;
    }
  }
  breaker_.record_failure();
  throw TransientError("scorer call failed after " + std::to_string(attempts) +
                       " attempt(s): " + redact::redact_text(last_error));
}

void HttpScorer::attempt(const std::string& body, const CustomerInfo& customer,
                         const CategoryCoupons& coupons, std::vector<double>& predictions) {
  std::string answer;
  int status = 0;
  try {
    web::http::http_request request(web::http::methods::POST);
    request.set_request_uri(utility::conversions::to_string_t(score_path_));
    request.set_body(body, "application/json");
    pplx::cancellation_token_source cancel;
    web::http::http_response response = client_.request(request, cancel.get_token()).get();
    status = response.status_code();
    try {
      answer = net::read_body(response.body(), kMaxAnswerBytes, net::Overflow::kStop).get();
    } catch (const net::BodyTooLarge&) {
      cancel.cancel();  // closes the connection: the rest of the answer is not read
      throw TransientError("scorer answered over the limit of " + std::to_string(kMaxAnswerBytes) +
                           " bytes");
    }
  } catch (const TransientError&) {
    throw;
  } catch (const web::http::http_exception& e) {
    if (is_timeout(e)) {
      throw TransientError("scorer did not answer within " +
                           std::to_string(options_.timeout.count()) + " ms");
    }
    throw ConnectionFailed(std::string("scorer unreachable: ") + e.what());
  } catch (const std::exception& e) {
    throw ConnectionFailed(std::string("scorer unreachable: ") + e.what());
  }
  if (status == web::http::status_codes::OK) {
    decode_scorer_response(answer, customer.customer_id, coupons, predictions);
    return;
  }
  const std::string excerpt = redact::redact_text(answer.substr(0, 300));
  if (refuses_the_input(status)) {
    throw RejectError("scorer refused the request for customer " +
                      std::to_string(customer.customer_id) + " (HTTP " + std::to_string(status) +
                      "): " + excerpt);
  }
  std::string hint;
  if (status == web::http::status_codes::NotFound ||
      status == web::http::status_codes::MethodNotAllowed) {
    // The path alone: the query may carry the scorer's key.
    hint = " (the scorer url is the full URL POSTed to, such as http://host:8001/score; POST " +
           utility::conversions::to_utf8string(parse_url(options_.url).path()) + " is not it)";
  }
  throw TransientError("scorer answered HTTP " + std::to_string(status) + hint + ": " + excerpt);
}

bool HttpScorer::ready(std::string& why) {
  try {
    web::http::http_response response =
        client_
            .request(web::http::methods::GET, utility::conversions::to_string_t(healthcheck_path_))
            .get();
    if (response.status_code() == web::http::status_codes::OK) return true;
    why =
        "scorer " + healthcheck_path_ + " answered HTTP " + std::to_string(response.status_code());
  } catch (const std::exception& e) {
    why = std::string("scorer unreachable: ") + e.what();
  }
  return false;
}

}  // namespace streamhost::coupon
