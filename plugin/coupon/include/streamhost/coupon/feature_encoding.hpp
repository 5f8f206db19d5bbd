// The original prediction service's feature encoding of a customer x coupon row, as a model file
// declares it ("encoding" in schema/coupon_model.schema.json): which columns, in which order, and
// how each is computed from the plugin's CustomerInfo (cache column names) and coupon features.
#pragma once

#include <rapidjson/document.h>

#include <array>
#include <cstdint>
#include <optional>
#include <streamhost/coupon/customer.hpp>
#include <streamhost/coupon/events.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace streamhost::coupon {

struct CouponFeatures;

enum class FeatureSource : uint8_t {
  kCustomerNumber,  // a numeric customer_info column, as it is
  kCustomerCode,    // age_range, marital_status, gender: the index of the value in its code list
  kCouponPrice,     // coupons[].item_selling_price = coupon_info.mean_item_price
  kCouponDiscount,  // coupons[].coupon_discount = coupon_info.mean_coupon_discount
  kCategory,        // one-hot coupons[].item_category=X: 1 when the department encodes as X
};

struct Feature {
  std::string name;  // the original request's field name, e.g. "customer.mean_discount_used"
  FeatureSource source = FeatureSource::kCustomerNumber;
  size_t customer_field = 0;  // index into kCustomerFields (customer sources)
  int code_list = -1;         // kCustomerCode: 0 age_range, 1 marital_status, 2 gender
  int category_slot = -1;     // kCategory: index into kItemCategories
};

// The original's code lists; a model file must list exactly these.
inline constexpr std::array<std::string_view, 6> kAgeRanges{"18-25", "26-35", "36-45",
                                                            "46-55", "56-70", "70+"};
inline constexpr std::array<std::string_view, 2> kMaritalStatuses{"Married", "Single"};
inline constexpr std::array<std::string_view, 2> kGenders{"F", "M"};
inline constexpr std::array<std::string_view, 5> kItemCategories{"Boys", "Girls", "Men", "Sports",
                                                                 "Women"};

class FeatureEncoding {
 public:
  // From a model file's "encoding" object. Throws std::invalid_argument naming the problem
  // ("encoding.features[3]: \"customer.shoe_size\" is not a feature the coupon plugin encodes").
  static FeatureEncoding from_json(const rapidjson::Value& encoding);
  // Every known feature in the default order, the original's codes, the Sport defect kept.
  static FeatureEncoding original(bool sport_matches_sports = false);

  size_t size() const { return features_.size(); }
  const Feature& feature(size_t i) const { return features_[i]; }
  std::optional<size_t> find(std::string_view name) const;
  bool sport_matches_sports() const { return sport_matches_sports_; }

  bool from_customer(size_t i) const;
  bool per_coupon(size_t i) const;  // price or discount: differs between coupons of a department

  // The kItemCategories slot a department encodes as; -1 for none (the data's "Sport", unless
  // sport_matches_sports).
  int category_slot(Category c) const;

  // out[i] for every customer feature i; NaN for a NULL or unlisted value. Others untouched.
  void encode_customer(const CustomerInfo& customer, double* out) const;
  // A coupon feature's value (price, discount or a one-hot column) for this coupon.
  double encode_coupon(size_t i, const CouponFeatures& coupon) const;

 private:
  std::vector<Feature> features_;
  bool sport_matches_sports_ = false;
};

// The feature names the plugin encodes, in the default order (the original request's order, then
// the one-hot columns). A customer.X feature is read from the customer_info column whose scorer
// API name (CustomerFieldDef::wire) is X; the coupon ones from coupon_info and the department.
extern const std::array<const char*, 21> kKnownFeatures;

}  // namespace streamhost::coupon
