// Settings of the HTTP scorer client, apart from the client so config code needs no cpprestsdk.
#pragma once

#include <chrono>
#include <string>

namespace streamhost::coupon {

struct HttpScorerOptions {
  // The full URL that is POSTed to, as the original service's COUPON_SCORER_URL:
  // http://host:8001/score. Its healthcheck is GET .../healthcheck beside it.
  std::string url;
  std::chrono::milliseconds timeout{2000};
  int retries = 1;  // extra attempts within one call
  int breaker_failure_threshold = 5;
  std::chrono::milliseconds breaker_open_for{10000};
};

}  // namespace streamhost::coupon
