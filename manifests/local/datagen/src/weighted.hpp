#pragma once

// Picks an index with probability proportional to integer weights (taken from the real data's
// value counts), using only integer arithmetic.

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>

#include "streamhost/datagen/prng.hpp"

namespace streamhost::datagen {

inline std::size_t pick_weighted(SplitMix64& rng, std::span<const int> weights) {
  const std::int64_t total = std::accumulate(weights.begin(), weights.end(), std::int64_t{0});
  std::int64_t r = rng.between(0, total - 1);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (r < weights[i]) return i;
    r -= weights[i];
  }
  return weights.size() - 1;
}

}  // namespace streamhost::datagen
