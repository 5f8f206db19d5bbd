#pragma once

// A small, portable pseudo-random generator (splitmix64). The standard library's distributions are
// implementation-defined, so the generator draws every value with plain integer and IEEE-754
// double arithmetic (compiled with -ffp-contract=off): the same seed gives the same bytes
// everywhere.

#include <cstdint>

namespace streamhost::datagen {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, 1), with 53 random bits: exact in any IEEE-754 double.
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

  // Uniform integer in [lo, hi] (inclusive). The modulo bias is below 2^-40 for our ranges.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }

  bool chance(double p) { return unit() < p; }

 private:
  std::uint64_t state_;
};

// Mixes a seed with a stream id and an index, so each row has its own generator and row N can be
// regenerated without producing rows 1..N-1.
inline std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  SplitMix64 a(seed ^ (stream * 0xD1B54A32D192ED03ULL));
  SplitMix64 b(a.next() ^ (index * 0x8CB92BA72F3D8DD7ULL));
  return b.next();
}

}  // namespace streamhost::datagen
