// The logistic model: a hand-computed case, null handling, the precomputed table path, and the
// shipped model file's sanity.
#include <gtest/gtest.h>

#include <cmath>
#include <streamhost/coupon/model.hpp>
#include <streamhost/coupon/schemas.hpp>

#include "coupon_test_support.hpp"

namespace streamhost::coupon {
namespace {

constexpr const char* kSmallModel = R"({
  "name": "small", "version": "0", "description": "test", "link": "logistic", "bias": -1.0,
  "numeric": [
    {"name": "family_size", "source": "customer", "center": 2, "scale": 2, "clip": 1, "weight": 0.5},
    {"name": "mean_coupon_discount", "source": "coupon", "center": -2, "scale": 2, "clip": 3, "weight": -1}
  ],
  "categorical": [
    {"name": "gender", "source": "customer", "weights": {"F": 0.3}},
    {"name": "category", "source": "coupon", "weights": {"Boys": 0.2}}
  ],
  "interactions": [{"customer": "family_size", "coupon": "mean_coupon_discount", "weight": 0.4}]
})";

CustomerInfo customer_with(double family_size, const char* gender) {
  CustomerInfo c;
  c.customer_id = 1;
  c.fields[*customer_field_index("family_size")] = FieldValue{false, family_size, ""};
  c.fields[*customer_field_index("gender")] = FieldValue{false, 0, gender};
  return c;
}

TEST(CouponModel, HandComputedPrediction) {
  const Model model = Model::from_json(kSmallModel);
  // family_size 5 -> (5-2)/2 = 1.5, clipped to 1 -> +0.5; gender F -> +0.3;
  // discount -6 -> (-6+2)/2 = -2 -> -1 * -2 = +2; Boys -> +0.2; interaction 0.4 * 1 * -2 = -0.8.
  // logit = -1 + 0.5 + 0.3 + 2 + 0.2 - 0.8 = 1.2
  const CouponFeatures coupon{10, -6.0, 100.0, Category::kBoys};
  EXPECT_NEAR(model.predict(customer_with(5, "F"), coupon), 1.0 / (1.0 + std::exp(-1.2)), 1e-12);
  EXPECT_NEAR(model.predict(customer_with(5, "F"), coupon), 0.7685247834990175, 1e-12);
}

TEST(CouponModel, UnknownValuesContributeNothing) {
  const Model model = Model::from_json(kSmallModel);
  CustomerInfo nulls;
  nulls.customer_id = 2;  // every field null: customer terms and the interaction vanish
  const CouponFeatures girls{11, -2.0, 100.0, Category::kGirls};  // scaled discount 0, no weight
  EXPECT_NEAR(model.predict(nulls, girls), 1.0 / (1.0 + std::exp(1.0)), 1e-12);
  EXPECT_NEAR(model.predict(customer_with(2, "X"), girls), 1.0 / (1.0 + std::exp(1.0)), 1e-12);
}

TEST(CouponModel, TablePathMatchesTheDirectPath) {
  const Model model = Model::from_json(default_model_text());
  std::vector<CouponFeatures> coupons;
  for (int i = 0; i < 50; ++i) {
    coupons.push_back({i, -0.3 * i, 20.0 + 17.0 * i, static_cast<Category>(i % kCategoryCount)});
  }
  const CustomerInfo c = testing::sample_customer(9);
  std::vector<double> predictions;
  model.score(c, model.make_table(coupons), predictions);
  ASSERT_EQ(predictions.size(), coupons.size());
  for (size_t i = 0; i < coupons.size(); ++i) {
    EXPECT_NEAR(predictions[i], model.predict(c, coupons[i]), 1e-12) << i;
  }
}

TEST(CouponModel, ShippedModelSpreadsPredictions) {
  const Model model = Model::from_json(default_model_text());
  EXPECT_EQ(model.name(), "coupon-reference-logistic");
  const CustomerInfo c = testing::sample_customer(9);
  const double small = model.predict(c, {1, -0.05, 900.0, Category::kMen});
  const double large = model.predict(c, {2, -12.0, 30.0, Category::kWomen});
  EXPECT_LT(small, 0.2);
  EXPECT_GT(large, 0.5);
}

TEST(CouponModel, RejectsBrokenModels) {
  EXPECT_THROW(Model::from_json("{"), std::invalid_argument);
  EXPECT_THROW(
      Model::from_json(
          R"({"name":"x","version":"1","link":"probit","bias":0,"numeric":[],"categorical":[]})"),
      std::invalid_argument);
  EXPECT_THROW(Model::from_json(R"({"name":"x","version":"1","link":"logistic","bias":0,
      "numeric":[{"name":"shoe_size","source":"customer","center":0,"scale":1,"clip":1,"weight":1}],"categorical":[]})"),
               std::invalid_argument);
  EXPECT_THROW(
      Model::from_json(
          R"({"name":"x","version":"1","link":"logistic","bias":0,"numeric":[],"categorical":[],
      "interactions":[{"customer":"family_size","coupon":"mean_item_price","weight":1}]})"),
      std::invalid_argument);
}

}  // namespace
}  // namespace streamhost::coupon
