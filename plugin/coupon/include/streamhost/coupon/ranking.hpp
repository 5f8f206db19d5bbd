// Picks the coupons worth emitting: the best N whose prediction is above the threshold.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace streamhost::coupon {

struct RankedCoupon {
  int64_t coupon_id = 0;
  double prediction = 0;
  friend bool operator==(const RankedCoupon&, const RankedCoupon&) = default;
};

// Best first; only predictions strictly above `threshold`; at most `top_n`. Equal predictions are
// ordered by ascending coupon_id, so the result is deterministic. `ids` and `predictions` align.
std::vector<RankedCoupon> rank_best(std::span<const int64_t> ids,
                                    std::span<const double> predictions, size_t top_n,
                                    double threshold);

}  // namespace streamhost::coupon
