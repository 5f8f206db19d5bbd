// The coupon catalog: per category the distinct coupons with their features, plus everything a
// focus event can reuse (the model's coupon terms, the scorer request's "coupons" JSON array).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <streamhost/coupon/events.hpp>
#include <streamhost/coupon/model.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace streamhost::coupon {

// One (coupon, category) pair of coupon_info joined with coupon_categories.
struct CatalogRow {
  int64_t coupon_id = 0;
  Category category = Category::kBoys;
  double mean_coupon_discount = 0;
  double mean_item_price = 0;
};

struct CategoryCoupons {
  Category category = Category::kBoys;
  std::vector<CouponFeatures> coupons;             // sorted by coupon_id, distinct
  std::vector<int64_t> coupon_ids;                 // coupons[i].coupon_id, for ranking
  std::unordered_map<int64_t, uint32_t> index_of;  // coupon_id -> index into coupons
  CouponTable table;                               // the model's precomputed coupon terms
  std::string coupons_json;                        // the scorer request's "coupons" array
};

// Immutable once built; shared by all workers through std::shared_ptr<const Catalog>.
class Catalog {
 public:
  // Duplicate (coupon, category) rows are merged (first wins); rows with non-finite features are
  // skipped. Throws std::invalid_argument when the rows cannot form a valid scorer request (for
  // example a negative coupon id).
  static std::shared_ptr<const Catalog> build(std::vector<CatalogRow> rows, const Model& model);

  // Never null; a category without coupons has an empty list.
  const CategoryCoupons& category(Category c) const { return categories_[static_cast<int>(c)]; }
  size_t row_count() const;

 private:
  std::array<CategoryCoupons, kCategoryCount> categories_;
};

}  // namespace streamhost::coupon
