// Settings of the HTTP scorer client, apart from the client so config code needs no cpprestsdk.
#pragma once

#include <chrono>
#include <string>

namespace streamhost::coupon {

struct HttpScorerOptions {
  // Used as given when it has a path; otherwise "/score" is appended.
  std::string url;
  std::chrono::milliseconds timeout{2000};
  int retries = 1;  // extra attempts within one call
  int breaker_failure_threshold = 5;
  std::chrono::milliseconds breaker_open_for{10000};
};

}  // namespace streamhost::coupon
