#include <streamhost/coupon/scorer.hpp>

namespace streamhost::coupon {

void EmbeddedScorer::score(const CustomerInfo& customer, const CategoryCoupons& coupons,
                           std::vector<double>& predictions) {
  model_->score(customer, coupons.table, predictions);
}

}  // namespace streamhost::coupon
