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
  // Extra attempts within one call, only when a request got no answer at all and did not time out
  // (a kept-alive connection the scorer had closed); every other failure is the host's RETRY.
  int retries = 1;
  // PEM CA bundle that signed an https:// scorer's certificate, added to the system trust store;
  // empty: the system store alone. Certificates are always verified.
  std::string ca_file;
  int breaker_failure_threshold = 5;
  std::chrono::milliseconds breaker_open_for{10000};
};

}  // namespace streamhost::coupon
