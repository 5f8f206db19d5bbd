// Where the coupon logic reports timings and counts; the plugin shim forwards them to the host.
#pragma once

#include <cstdint>

namespace streamhost::coupon {

class Metrics {
 public:
  virtual ~Metrics() = default;
  // Names are [a-z0-9_]+ (for example "coupon_db_call"). Thread-safe in every implementation.
  virtual void observe_seconds(const char* /*histogram*/, double /*seconds*/) {}
  virtual void count(const char* /*counter*/, uint64_t /*delta*/) {}
};

}  // namespace streamhost::coupon
