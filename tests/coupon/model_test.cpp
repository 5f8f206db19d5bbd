// The shipped reference model in the model file format: its predictions are the ones the model
// gave before the format existed (bit for bit), a hand-computed case of its kind, null handling,
// the precomputed table path, and the Sport/Sports one-hot switch.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <streamhost/coupon/model.hpp>
#include <streamhost/coupon/schemas.hpp>

#include "coupon_test_support.hpp"
#include "model_test_support.hpp"
#include "reference_model.hpp"

namespace streamhost::coupon {
namespace {

using testing::model_file;

const std::string kSmallModel = model_file(R"({
  "kind": "scaled_logistic", "intercept": -1.0,
  "terms": [
    {"feature": "customer.family_size", "center": 2, "scale": 2, "clip": 1, "weight": 0.5},
    {"feature": "coupons[].coupon_discount", "center": -2, "scale": 2, "clip": 3, "weight": -1}
  ],
  "tables": [
    {"feature": "customer.gender", "weights": {"F": 0.3}},
    {"feature": "coupons[].item_category", "weights": {"Boys": 0.2}}
  ],
  "interactions": [{"customer": "customer.family_size", "coupon": "coupons[].coupon_discount",
                    "weight": 0.4}]
})");

CustomerInfo customer_with(double family_size, const char* gender) {
  CustomerInfo c;
  c.customer_id = 1;
  c.fields[*customer_field_index("family_size")] = FieldValue{false, family_size, ""};
  c.fields[*customer_field_index("gender")] = FieldValue{false, 0, gender};
  return c;
}

TEST(CouponModel, HandComputedPrediction) {
  const Model model = Model::from_json(kSmallModel);
  EXPECT_EQ(model.kind(), "scaled_logistic");
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

// The reference model's predictions from before the model file format (captured with the old
// model code and file, printed with %a): converting the file changed nothing, not even a bit.
TEST(CouponModel, ShippedModelPredictsExactlyAsBeforeTheFileFormat) {
  const Model model = Model::from_json(default_model_text());
  EXPECT_EQ(model.name(), "coupon-reference-logistic");
  EXPECT_EQ(model.version(), "1.0.0");
  const CustomerInfo full = testing::sample_customer(9);
  CustomerInfo nulls;
  nulls.customer_id = 3;
  CustomerInfo odd = testing::sample_customer(4);
  odd.fields[*customer_field_index("age_range")].text = "17-";  // not a code
  odd.fields[*customer_field_index("mean_discount_used_by_cust")].null = true;
  const CouponFeatures coupons[] = {{1, -0.05, 900.0, Category::kMen},
                                    {2, -12.0, 30.0, Category::kWomen},
                                    {3, -1.3, 120.5, Category::kSport},
                                    {4, -2.2, 64.0, Category::kBoys},
                                    {5, -0.7, 210.0, Category::kGirls}};
  const double before[3][5] = {{0x1.1e07cbd5fe877p-6, 0x1.f1b07e45eaf1cp-1, 0x1.e5d0a77617fa8p-4,
                                0x1.0a378b920fdbcp-2, 0x1.1de290eadf4c1p-4},
                               {0x1.6f362654396f4p-7, 0x1.7a92c1cdace53p-1, 0x1.d8741ca7b6346p-5,
                                0x1.c7e5ab16b02c6p-4, 0x1.3c2509271cfd1p-5},
                               {0x1.328f1f913c391p-6, 0x1.a751f16c74c05p-1, 0x1.7e628a84c9e7ep-4,
                                0x1.646f078f08c6ep-3, 0x1.031effca2183fp-4}};
  const CustomerInfo* customers[] = {&full, &nulls, &odd};
  for (int c = 0; c < 3; ++c) {
    for (int k = 0; k < 5; ++k) {
      EXPECT_EQ(model.predict(*customers[c], coupons[k]), before[c][k]) << c << "," << k;
    }
  }
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
    EXPECT_EQ(predictions[i], model.predict(c, coupons[i])) << i;
  }
}

TEST(CouponModel, ShippedModelSpreadsPredictions) {
  const Model model = Model::from_json(default_model_text());
  const CustomerInfo c = testing::sample_customer(9);
  const double small = model.predict(c, {1, -0.05, 900.0, Category::kMen});
  const double large = model.predict(c, {2, -12.0, 30.0, Category::kWomen});
  EXPECT_LT(small, 0.2);
  EXPECT_GT(large, 0.5);
}

// The original encoder one-hot encodes over "Sports" while the data says "Sport": by default a
// Sport coupon has every category column 0; sport_matches_sports sets its Sports column.
TEST(CouponModel, SportMatchesNoCategoryUnlessTheFileSaysSo) {
  const std::string lr = R"({"kind": "logistic_regression", "intercept": 0,
      "coefficients": [0, 0, 0, 0, 2.0]})";
  const std::vector<std::string> one_hot = {
      "coupons[].item_category=Boys", "coupons[].item_category=Girls",
      "coupons[].item_category=Men", "coupons[].item_category=Women",
      "coupons[].item_category=Sports"};
  const Model as_original = Model::from_json(model_file(lr, one_hot));
  const Model fixed = Model::from_json(model_file(lr, one_hot, true));
  const CustomerInfo c = testing::sample_customer(1);
  const CouponFeatures sport{1, -1, 10, Category::kSport};
  EXPECT_DOUBLE_EQ(as_original.predict(c, sport), 0.5);  // logit 0: no column set
  EXPECT_DOUBLE_EQ(fixed.predict(c, sport), 1.0 / (1.0 + std::exp(-2.0)));
  EXPECT_FALSE(as_original.encoding().sport_matches_sports());
  EXPECT_EQ(as_original.encoding().category_slot(Category::kSport), -1);
  EXPECT_EQ(fixed.encoding().category_slot(Category::kSport), 3);
}

// The integration tests' independent evaluator (reference_model.hpp) and the plugin agree on the
// shipped file, so the end-to-end comparisons test the pipeline, not two readings of the file.
TEST(CouponModel, IndependentReferenceEvaluatorAgrees) {
  const Model model = Model::from_json(default_model_text());
  const testing::ReferenceModel reference(COUPON_MODEL_PATH);
  CustomerInfo odd = testing::sample_customer(4);
  odd.fields[*customer_field_index("age_range")].text = "17-";
  odd.fields[*customer_field_index("no_of_children")].null = true;
  for (const CustomerInfo& c : {testing::sample_customer(9), odd}) {
    testing::Row row;
    for (size_t i = 0; i < kCustomerFields.size(); ++i) {
      const FieldValue& v = c.fields[i];
      if (v.null) {
        row[kCustomerFields[i].name] = std::nullopt;
      } else if (kCustomerFields[i].kind == FieldKind::kText) {
        row[kCustomerFields[i].name] = v.text;
      } else {
        std::ostringstream text;
        text.precision(17);
        text << v.number;
        row[kCustomerFields[i].name] = text.str();
      }
    }
    for (int k = 0; k < kCategoryCount; ++k) {
      const Category category = static_cast<Category>(k);
      const CouponFeatures coupon{k, -0.4 - k, 30.0 + 70 * k, category};
      EXPECT_NEAR(reference.predict(row, {k, coupon.mean_coupon_discount, coupon.mean_item_price},
                                    std::string(category_name(category))),
                  model.predict(c, coupon), 1e-12)
          << category_name(category);
    }
  }
}

// customer.<the original request's name> reads the cache column it was renamed from.
TEST(CouponModel, FeaturesReadTheRenamedCacheColumns) {
  const FeatureEncoding e = FeatureEncoding::original();
  ASSERT_EQ(e.size(), 21u);
  CustomerInfo c = testing::sample_customer(3);
  c.fields[*customer_field_index("total_coupons_used_by_cust")].number = 42;
  c.fields[*customer_field_index("unique_items_bought_by_cust")].number = 7;
  c.fields[*customer_field_index("marital_status")].text = "Single";
  std::vector<double> x(e.size());
  e.encode_customer(c, x.data());
  EXPECT_EQ(x[*e.find("customer.total_coupons_redeemed")], 42);
  EXPECT_EQ(x[*e.find("customer.total_unique_items_bought")], 7);
  EXPECT_EQ(x[*e.find("customer.age_range")], 1);  // "26-35"
  EXPECT_EQ(x[*e.find("customer.marital_status")], 1);
  EXPECT_EQ(x[*e.find("customer.gender")], 0);  // "F"
  const CouponFeatures coupon{1, -2.5, 99.0, Category::kWomen};
  EXPECT_EQ(e.encode_coupon(*e.find("coupons[].item_selling_price"), coupon), 99.0);
  EXPECT_EQ(e.encode_coupon(*e.find("coupons[].coupon_discount"), coupon), -2.5);
  EXPECT_EQ(e.encode_coupon(*e.find("coupons[].item_category=Women"), coupon), 1.0);
  EXPECT_EQ(e.encode_coupon(*e.find("coupons[].item_category=Men"), coupon), 0.0);
}

}  // namespace
}  // namespace streamhost::coupon
