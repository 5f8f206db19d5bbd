// The host's one backoff policy, built from a manifest `retry` block (RetrySpec) and used for
// every wait the host owns: a handler's RETRY, produce attempts after the connector gave up on a
// request, subscribe and poll failures. Connectors retry one request's transport failures on their
// own, bounded; everything after that is this class's.
//
// Delays grow from initial_backoff by multiplier up to max_backoff. A `jitter` fraction of each
// delay is random (0.5, the default, is "equal jitter": between half and all of it), so replicas
// that failed together do not retry in lockstep; 0 makes the delays exact.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <random>

#include "manifest/manifest.hpp"

namespace streamhost::host::runtime {

class Backoff {
 public:
  // Uniform in [0, 1]; replaceable so a test can pin the random part.
  using Uniform = std::function<double()>;

  explicit Backoff(const RetrySpec& spec, Uniform uniform = thread_uniform())
      : initial_(std::max<std::chrono::milliseconds>(spec.initial_backoff,
                                                     std::chrono::milliseconds(1))),
        max_(std::max(spec.max_backoff, initial_)),
        multiplier_(spec.multiplier < 1.0 ? 1.0 : spec.multiplier),
        jitter_(std::clamp(spec.jitter, 0.0, 1.0)),
        uniform_(std::move(uniform)),
        next_(initial_) {}

  // The delay before the next attempt; each call grows the following one.
  std::chrono::milliseconds next() {
    const auto current = next_;
    const double grown = static_cast<double>(next_.count()) * multiplier_;
    next_ = grown >= static_cast<double>(max_.count())
                ? max_
                : std::chrono::milliseconds(static_cast<int64_t>(grown));
    if (jitter_ == 0.0) return current;
    const double random_part = static_cast<double>(current.count()) * jitter_;
    const double fixed_part = static_cast<double>(current.count()) - random_part;
    const double u = std::clamp(uniform_(), 0.0, 1.0);
    return std::chrono::milliseconds(static_cast<int64_t>(fixed_part + random_part * u));
  }
  void reset() { next_ = initial_; }

  static Uniform thread_uniform() {
    return [] {
      thread_local std::mt19937_64 rng{std::random_device{}()};
      return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    };
  }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  double multiplier_;
  double jitter_;
  Uniform uniform_;
  std::chrono::milliseconds next_;
};

}  // namespace streamhost::host::runtime
