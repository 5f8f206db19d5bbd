// The transparent logistic model shared by the embedded scorer and the coupon-scorer server.
//
// logit = bias + customer terms + coupon terms + sum_k w_k * customer_k * coupon_k (interactions);
// prediction = 1 / (1 + exp(-logit)). The customer part is computed once per focus event and the
// coupon part once per catalog load (CouponTable), so scoring a category is a short loop.
#pragma once

#include <cstdint>
#include <streamhost/coupon/customer.hpp>
#include <streamhost/coupon/events.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace streamhost::coupon {

// The coupon side of a scoring row (a coupon of one category).
struct CouponFeatures {
  int64_t coupon_id = 0;
  double mean_coupon_discount = 0;
  double mean_item_price = 0;
  Category category = Category::kBoys;
};

// Precomputed coupon terms of many coupons, structure of arrays for a tight scoring loop.
struct CouponTable {
  std::vector<double> logit;    // coupon part of the logit, per coupon
  std::vector<double> factors;  // interaction_count values per coupon, coupon-major
};

class Model {
 public:
  // Throws std::invalid_argument naming what is wrong with the model text.
  static Model from_json(std::string_view json_text);

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  size_t interaction_count() const { return interactions_.size(); }

  // bias + customer terms; `factors` receives interaction_count() values (w_k * scaled customer_k).
  double customer_logit(const CustomerInfo& customer, double* factors) const;
  // coupon terms; `factors` receives interaction_count() scaled coupon values.
  double coupon_logit(const CouponFeatures& coupon, double* factors) const;

  CouponTable make_table(const std::vector<CouponFeatures>& coupons) const;
  // predictions[i] for the table's coupon i; resizes `predictions`.
  void score(const CustomerInfo& customer, const CouponTable& table,
             std::vector<double>& predictions) const;
  // One prediction the slow, obvious way (tests and single lookups).
  double predict(const CustomerInfo& customer, const CouponFeatures& coupon) const;

 private:
  enum class CouponField { kNone, kMeanCouponDiscount, kMeanItemPrice, kCategory };
  struct Numeric {
    std::string name;
    bool from_customer = true;
    size_t customer_index = 0;
    CouponField coupon_field = CouponField::kNone;
    double center = 0, scale = 1, clip = 0, weight = 0;
    double scaled(double value) const;
  };
  struct Categorical {
    std::string name;
    bool from_customer = true;
    size_t customer_index = 0;
    std::unordered_map<std::string, double> weights;
  };
  struct Interaction {
    size_t customer_numeric = 0;  // index into numeric_
    size_t coupon_numeric = 0;
    double weight = 0;
  };

  double scaled_customer(const Numeric& n, const CustomerInfo& c) const;
  double scaled_coupon(const Numeric& n, const CouponFeatures& c) const;

  std::string name_, version_;
  double bias_ = 0;
  std::vector<Numeric> numeric_;
  std::vector<Categorical> categorical_;
  std::vector<Interaction> interactions_;
};

}  // namespace streamhost::coupon
