#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <stdexcept>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/http_scorer.hpp>
#include <streamhost/net/tcp_no_delay.hpp>
#include <streamhost/coupon/schemas.hpp>

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
    throw std::invalid_argument("scorer url must be http(s)://host[:port][/path], got " + url);
  }
}

http_client make_client(const std::string& url, std::chrono::milliseconds timeout) {
  http_client_config config;
  config.set_timeout(timeout);
  net::disable_nagle(config, url.starts_with("https:"));
  return http_client(utility::conversions::to_string_t(base_of(parse_url(url))), config);
}

std::string path_of(const std::string& url) {
  const web::uri uri = parse_url(url);
  std::string path = utility::conversions::to_utf8string(uri.path());
  if (path.empty() || path == "/") return "/score";
  if (!uri.query().empty()) path += "?" + utility::conversions::to_utf8string(uri.query());
  return path;
}

}  // namespace

void decode_scorer_response(std::string_view body, int64_t customer_id,
                            const CategoryCoupons& coupons, std::vector<double>& predictions) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) {
    throw TransientError(std::string("scorer answered malformed JSON: ") +
                         rapidjson::GetParseError_En(doc.GetParseError()));
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
      client_(make_client(options_.url, options_.timeout)),
      breaker_(options_.breaker_failure_threshold, options_.breaker_open_for, std::move(clock)) {}

void HttpScorer::score(const CustomerInfo& customer, const CategoryCoupons& coupons,
                       std::vector<double>& predictions) {
  if (coupons.coupons.empty()) {
    predictions.clear();
    return;
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
  for (int attempt_no = 0; attempt_no <= options_.retries; ++attempt_no) {
    try {
      attempt(body, customer, coupons, predictions);
      breaker_.record_success();
      return;
    } catch (const TransientError& e) {
      last_error = e.what();
    }
  }
  breaker_.record_failure();
  throw TransientError("scorer call failed after " + std::to_string(options_.retries + 1) +
                       " attempt(s): " + last_error);
}

void HttpScorer::attempt(const std::string& body, const CustomerInfo& customer,
                         const CategoryCoupons& coupons, std::vector<double>& predictions) {
  std::string answer;
  try {
    web::http::http_request request(web::http::methods::POST);
    request.set_request_uri(utility::conversions::to_string_t(score_path_));
    request.set_body(body, "application/json");
    web::http::http_response response = client_.request(request).get();
    answer = response.extract_utf8string(true).get();
    if (response.status_code() != web::http::status_codes::OK) {
      throw TransientError("scorer answered HTTP " + std::to_string(response.status_code()) + ": " +
                           answer.substr(0, 200));
    }
  } catch (const TransientError&) {
    throw;
  } catch (const std::exception& e) {
    throw TransientError(std::string("scorer unreachable: ") + e.what());
  }
  decode_scorer_response(answer, customer.customer_id, coupons, predictions);
}

bool HttpScorer::ready(std::string& why) {
  try {
    web::http::http_response response =
        client_.request(web::http::methods::GET, U("/healthcheck")).get();
    if (response.status_code() == web::http::status_codes::OK) return true;
    why = "scorer healthcheck answered HTTP " + std::to_string(response.status_code());
  } catch (const std::exception& e) {
    why = std::string("scorer unreachable: ") + e.what();
  }
  return false;
}

}  // namespace streamhost::coupon
