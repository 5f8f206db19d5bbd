// Client of the HTTP scorer API (schema/scorer_request, scorer_response): one long-lived
// keep-alive cpprestsdk client, a timeout per call, retries, and a circuit breaker.
#pragma once

#include <cpprest/http_client.h>

#include <chrono>
#include <streamhost/coupon/circuit_breaker.hpp>
#include <streamhost/coupon/http_scorer_options.hpp>
#include <streamhost/coupon/scorer.hpp>
#include <string>

namespace streamhost::coupon {

class HttpScorer final : public Scorer {
 public:
  // Throws std::invalid_argument for a URL that is not http(s)://host[:port][/path].
  explicit HttpScorer(HttpScorerOptions options, SteadyClock clock = real_steady_clock());

  void score(const CustomerInfo& customer, const CategoryCoupons& coupons,
             std::vector<double>& predictions) override;
  // GET /healthcheck on the scorer's host answers 200.
  bool ready(std::string& why) override;

  const std::string& score_path() const { return score_path_; }
  CircuitBreaker::State breaker_state() const { return breaker_.state(); }

 private:
  // One attempt; throws TransientError describing what went wrong.
  void attempt(const std::string& body, const CustomerInfo& customer,
               const CategoryCoupons& coupons, std::vector<double>& predictions);

  HttpScorerOptions options_;
  std::string score_path_;
  web::http::client::http_client client_;
  CircuitBreaker breaker_;
};

// Checks a scorer's answer: schema, every requested coupon exactly once, the right customer,
// predictions in [0, 1]. Fills predictions in the order of `coupons`. Throws TransientError.
void decode_scorer_response(std::string_view body, int64_t customer_id,
                            const CategoryCoupons& coupons, std::vector<double>& predictions);

}  // namespace streamhost::coupon
