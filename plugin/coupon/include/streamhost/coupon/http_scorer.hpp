// Client of the scorer API, the original prediction service's (schema/scorer_request,
// scorer_response; shared/seed/prediction-service-api.md): one long-lived keep-alive cpprestsdk
// client, a timeout per call, retries, and a circuit breaker that counts only transient failures.
// A 400/413/414/415/422 answer is RejectError (this input can never be scored); other failures,
// timeouts and refused connections are TransientError.
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
  // GET healthcheck beside the score path (/score -> /healthcheck) answers 200.
  bool ready(std::string& why) override;

  const std::string& score_path() const { return score_path_; }
  const std::string& healthcheck_path() const { return healthcheck_path_; }
  CircuitBreaker::State breaker_state() const { return breaker_.state(); }

 private:
  // One attempt; throws TransientError or RejectError describing what went wrong.
  void attempt(const std::string& body, const CustomerInfo& customer,
               const CategoryCoupons& coupons, std::vector<double>& predictions);

  HttpScorerOptions options_;
  std::string score_path_;
  std::string healthcheck_path_;
  web::http::client::http_client client_;
  CircuitBreaker breaker_;
};

// Throws std::invalid_argument, naming the URL only redacted, when `url` is not
// http(s)://host[:port][/path]: the config check runs it, so `validate` finds a bad URL.
void check_scorer_url(const std::string& url);

// Checks a scorer's answer: schema, every requested coupon exactly once, the right customer,
// predictions in [0, 1]. Fills predictions in the order of `coupons`. Throws TransientError.
void decode_scorer_response(std::string_view body, int64_t customer_id,
                            const CategoryCoupons& coupons, std::vector<double>& predictions);

}  // namespace streamhost::coupon
