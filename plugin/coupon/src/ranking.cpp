#include <algorithm>
#include <streamhost/coupon/ranking.hpp>

namespace streamhost::coupon {

std::vector<RankedCoupon> rank_best(std::span<const int64_t> ids,
                                    std::span<const double> predictions, size_t top_n,
                                    double threshold) {
  std::vector<RankedCoupon> kept;
  const size_t n = std::min(ids.size(), predictions.size());
  for (size_t i = 0; i < n; ++i) {
    if (predictions[i] > threshold) kept.push_back({ids[i], predictions[i]});
  }
  auto better = [](const RankedCoupon& a, const RankedCoupon& b) {
    return a.prediction != b.prediction ? a.prediction > b.prediction : a.coupon_id < b.coupon_id;
  };
  const size_t keep = std::min(top_n, kept.size());
  std::partial_sort(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(keep), kept.end(),
                    better);
  kept.resize(keep);
  return kept;
}

}  // namespace streamhost::coupon
