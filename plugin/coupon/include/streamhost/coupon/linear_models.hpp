// The linear kinds of model file: scikit-learn's LogisticRegression, and the scaled logistic of
// the plugin's hand-set reference model. Both split the logit into a customer part (once per
// focus event) and a coupon part (once per catalog load, in the CouponTable), so scoring a
// department is one addition and a sigmoid per coupon.
#pragma once

#include <rapidjson/document.h>

#include <array>
#include <memory>
#include <streamhost/coupon/model.hpp>
#include <string>
#include <vector>

namespace streamhost::coupon {

// prediction = sigmoid(intercept + sum coefficients[i] * x[i]); a missing x adds nothing.
// Computed in double on the unrounded features, as LogisticRegression.predict_proba does.
class LogisticRegression final : public Evaluator {
 public:
  LogisticRegression(FeatureEncoding encoding, std::vector<double> coefficients, double intercept,
                     const std::string& where = "model");
  static std::shared_ptr<const LogisticRegression> from_json(const rapidjson::Value& model,
                                                             const FeatureEncoding& encoding);

  void make_table(const std::vector<CouponFeatures>& coupons, CouponTable& table) const override;
  void score(const CustomerInfo& customer, const CouponTable& table,
             double* predictions) const override;
  double predict(const CustomerInfo& customer, const CouponFeatures& coupon) const override;
  std::string summary() const override;

 private:
  double customer_part(const CustomerInfo& customer) const;
  double coupon_part(const CouponFeatures& coupon) const;

  FeatureEncoding encoding_;
  std::vector<double> coefficients_;
  double intercept_;
};

// The reference model's kind (schema: scaled_logistic). Its per-code weights, clipping and
// products are not linear in the encoded columns, hence a kind of its own; the arithmetic is the
// original reference model's, in the same order, so its predictions are unchanged bit for bit.
class ScaledLogistic final : public Evaluator {
 public:
  static std::shared_ptr<const ScaledLogistic> from_json(const rapidjson::Value& model,
                                                         const FeatureEncoding& encoding);

  void make_table(const std::vector<CouponFeatures>& coupons, CouponTable& table) const override;
  void score(const CustomerInfo& customer, const CouponTable& table,
             double* predictions) const override;
  double predict(const CustomerInfo& customer, const CouponFeatures& coupon) const override;
  std::string summary() const override;

 private:
  struct Term {
    size_t column = 0;
    bool customer = true;
    double center = 0, scale = 1, clip = 0, weight = 0;
    double scaled(double x) const;  // 0 for a missing value: the term counts as its center
  };
  struct Table {
    size_t column = 0;  // a customer code column; unused for the category table
    bool category = false;
    std::vector<double> weight;  // per code (or kItemCategories slot)
    std::vector<uint8_t> has;    // whether the file gives a weight for that code
  };
  struct Interaction {
    size_t customer_term = 0, coupon_term = 0;  // indexes into terms_
    double weight = 0;
  };

  double customer_logit(const CustomerInfo& customer, double* factors) const;
  double coupon_logit(const CouponFeatures& coupon, double* factors) const;

  FeatureEncoding encoding_;
  double intercept_ = 0;
  std::vector<Term> terms_;
  std::vector<Table> tables_;
  std::vector<Interaction> interactions_;
};

}  // namespace streamhost::coupon
