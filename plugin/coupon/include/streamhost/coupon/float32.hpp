// float32 conversions exactly as scikit-learn's trees see their inputs and thresholds, without
// the undefined behaviour of casting an out-of-range double to float.
#pragma once

#include <cmath>
#include <limits>

namespace streamhost::coupon {

// Round to nearest, like numpy's astype(float32): beyond the largest float, +-inf.
inline float to_float32(double x) {
  constexpr double kMax = std::numeric_limits<float>::max();
  // Halfway between the largest float and the next power of two: from there on, rounding gives inf.
  constexpr double kOverflow = kMax + 0x1p103;
  if (std::isnan(x)) return std::numeric_limits<float>::quiet_NaN();
  if (std::abs(x) <= kMax) return static_cast<float>(x);
  if (std::abs(x) < kOverflow)
    return x > 0 ? std::numeric_limits<float>::max() : std::numeric_limits<float>::lowest();
  return x > 0 ? std::numeric_limits<float>::infinity() : -std::numeric_limits<float>::infinity();
}

// The largest float <= t. For any float x, x <= float32_at_most(t) exactly when double(x) <= t,
// which is how scikit-learn compares a float32 feature with its float64 threshold.
inline float float32_at_most(double t) {
  constexpr double kMax = std::numeric_limits<float>::max();
  if (t == std::numeric_limits<double>::infinity()) return std::numeric_limits<float>::infinity();
  if (t >= kMax) return std::numeric_limits<float>::max();
  if (t < -kMax) return -std::numeric_limits<float>::infinity();
  float f = static_cast<float>(t);
  if (static_cast<double>(f) > t) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

}  // namespace streamhost::coupon
