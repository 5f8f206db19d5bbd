// The tree evaluator: scikit-learn's float32 comparisons, missing values, the boosting and forest
// sums, and the per-event fast path (partial evaluation over the sorted table) against a plain
// reference walk of the same trees on random ensembles.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <streamhost/coupon/tree_ensemble.hpp>

#include "coupon_test_support.hpp"

namespace streamhost::coupon {
namespace {

using Arrays = TreeEnsemble::TreeArrays;
using Kind = TreeEnsemble::Kind;

size_t column(const char* name) {
  return *FeatureEncoding::original().find(name);
}

// One split on `feature` at `threshold`: left leaf `l`, right leaf `r`.
Arrays stump(size_t feature, double threshold, double l, double r, uint8_t missing_left = 0) {
  Arrays a;
  a.children_left = {1, -1, -1};
  a.children_right = {2, -1, -1};
  a.feature = {static_cast<int64_t>(feature), -2, -2};
  a.threshold = {threshold, -2, -2};
  a.value = {0.5, l, r};
  a.missing_go_to_left = {missing_left, 0, 0};
  return a;
}

double fast(const TreeEnsemble& model, const CustomerInfo& c, const CouponFeatures& coupon) {
  CouponTable table;
  model.make_table({coupon}, table);
  double p = -1;
  model.score(c, table, &p);
  return p;
}

// scikit-learn compares X.astype(float32) with float64 thresholds: 0.1 as float32 is
// 0.10000000149..., which is not <= 0.1.
TEST(TreeEnsemble, ComparesFeaturesInFloat32LikeScikitLearn) {
  const TreeEnsemble price(Kind::kRandomForest, FeatureEncoding::original(), 1, 0,
                           {stump(column("coupons[].item_selling_price"), 0.1, 1.0, 0.0)});
  const CustomerInfo c = testing::sample_customer(1);
  EXPECT_EQ(price.predict(c, {1, -1, 0.1, Category::kMen}), 0.0);
  EXPECT_EQ(fast(price, c, {1, -1, 0.1, Category::kMen}), 0.0);
  EXPECT_EQ(price.predict(c, {1, -1, 0.0999999, Category::kMen}), 1.0);
  EXPECT_EQ(fast(price, c, {1, -1, 0.0999999, Category::kMen}), 1.0);

  CustomerInfo customer = testing::sample_customer(1);
  customer.fields[*customer_field_index("mean_discount_used_by_cust")].number = 0.1;
  const TreeEnsemble discount(Kind::kRandomForest, FeatureEncoding::original(), 1, 0,
                              {stump(column("customer.mean_discount_used"), 0.1, 1.0, 0.0)});
  EXPECT_EQ(discount.predict(customer, {1, -1, 5, Category::kMen}), 0.0);
  EXPECT_EQ(fast(discount, customer, {1, -1, 5, Category::kMen}), 0.0);
}

TEST(TreeEnsemble, MissingValuesFollowTheNodesSide) {
  const size_t marital = column("customer.marital_status");
  const TreeEnsemble left(Kind::kRandomForest, FeatureEncoding::original(), 1, 0,
                          {stump(marital, 0.5, 1.0, 0.0, 1)});
  const TreeEnsemble right(Kind::kRandomForest, FeatureEncoding::original(), 1, 0,
                           {stump(marital, 0.5, 1.0, 0.0, 0)});
  CustomerInfo null_status = testing::sample_customer(1);
  null_status.fields[*customer_field_index("marital_status")].null = true;
  CustomerInfo unknown = testing::sample_customer(1);
  unknown.fields[*customer_field_index("marital_status")].text = "Divorced";  // not a code
  const CouponFeatures coupon{1, -1, 5, Category::kBoys};
  for (const CustomerInfo* c : {&null_status, &unknown}) {
    EXPECT_EQ(left.predict(*c, coupon), 1.0);
    EXPECT_EQ(fast(left, *c, coupon), 1.0);
    EXPECT_EQ(right.predict(*c, coupon), 0.0);
    EXPECT_EQ(fast(right, *c, coupon), 0.0);
  }
  // "Married" is code 0 <= 0.5: left, whatever the missing side.
  EXPECT_EQ(right.predict(testing::sample_customer(1), coupon), 1.0);
}

TEST(TreeEnsemble, BoostingAddsScaledLeavesToTheInitialLogOdds) {
  const size_t price = column("coupons[].item_selling_price");
  const TreeEnsemble gb(Kind::kGradientBoosting, FeatureEncoding::original(), 0.5, -1.0,
                        {stump(price, 50, 2.0, -2.0), stump(price, 80, 1.0, 4.0)});
  const CustomerInfo c = testing::sample_customer(1);
  // price 60: -1 + 0.5 * -2 + 0.5 * 1 = -1.5
  EXPECT_DOUBLE_EQ(gb.predict(c, {1, -1, 60, Category::kGirls}), 1.0 / (1.0 + std::exp(1.5)));
  EXPECT_DOUBLE_EQ(fast(gb, c, {1, -1, 60, Category::kGirls}), 1.0 / (1.0 + std::exp(1.5)));
  const TreeEnsemble rf(Kind::kRandomForest, FeatureEncoding::original(), 1, 0,
                        {stump(price, 50, 0.2, 0.6), stump(price, 80, 0.3, 0.9)});
  EXPECT_DOUBLE_EQ(rf.predict(c, {1, -1, 60, Category::kGirls}), (0.6 + 0.3) / 2);
  EXPECT_DOUBLE_EQ(fast(rf, c, {1, -1, 60, Category::kGirls}), (0.6 + 0.3) / 2);
}

// --- random ensembles: the fast path against a plain walk of the arrays --------------------------

double draw_threshold(std::mt19937& rng, size_t feature) {
  const FeatureEncoding e = FeatureEncoding::original();
  const Feature& f = e.feature(feature);
  std::uniform_real_distribution<double> u(0, 1);
  switch (f.source) {
    case FeatureSource::kCategory:
      return 0.5;
    case FeatureSource::kCustomerCode:
      return std::floor(u(rng) * 5) + 0.5;
    case FeatureSource::kCouponPrice:
      // Some thresholds exactly on a price: ties with the table's values must split like <=.
      return u(rng) < 0.2 ? 40.0 : 15 + 600 * u(rng);
    case FeatureSource::kCouponDiscount:
      return u(rng) < 0.2 ? -2.0 : -8 * u(rng);
    default:
      return 2000 * u(rng) - 1000;
  }
}

Arrays random_tree(std::mt19937& rng, int depth) {
  Arrays a;
  std::uniform_int_distribution<int> feature(0, 20);
  std::uniform_real_distribution<double> u(0, 1);
  // Built depth first like scikit-learn's builder; leaves appear early at random.
  struct Todo {
    int64_t node;
    int depth;
  };
  auto add = [&] {
    a.children_left.push_back(-1);
    a.children_right.push_back(-1);
    a.feature.push_back(-2);
    a.threshold.push_back(-2);
    a.value.push_back(u(rng));
    a.missing_go_to_left.push_back(u(rng) < 0.5);
    return static_cast<int64_t>(a.children_left.size() - 1);
  };
  std::vector<Todo> todo{{add(), 0}};
  while (!todo.empty()) {
    const Todo t = todo.back();
    todo.pop_back();
    if (t.depth >= depth || (t.depth > 2 && u(rng) < 0.15)) continue;
    const int f = feature(rng);
    a.feature[t.node] = f;
    a.threshold[t.node] = draw_threshold(rng, static_cast<size_t>(f));
    const int64_t l = add(), r = add();
    a.children_left[t.node] = l;
    a.children_right[t.node] = r;
    todo.push_back({r, t.depth + 1});
    todo.push_back({l, t.depth + 1});
  }
  return a;
}

// scikit-learn's own loop, on the raw arrays: float32 features, float64 thresholds.
double reference(Kind kind, double lr, double init, const std::vector<Arrays>& trees,
                 const std::vector<double>& row) {
  double sum = kind == Kind::kGradientBoosting ? init : 0.0;
  for (const Arrays& t : trees) {
    int64_t n = 0;
    while (t.children_left[n] != -1) {
      const float x = static_cast<float>(row[static_cast<size_t>(t.feature[n])]);
      const bool left =
          std::isnan(x) ? t.missing_go_to_left[n] != 0 : static_cast<double>(x) <= t.threshold[n];
      n = left ? t.children_left[n] : t.children_right[n];
    }
    sum += kind == Kind::kGradientBoosting ? lr * t.value[n] : t.value[n];
  }
  return kind == Kind::kGradientBoosting ? 1.0 / (1.0 + std::exp(-sum))
                                         : sum / static_cast<double>(trees.size());
}

CustomerInfo random_customer(std::mt19937& rng, int64_t id) {
  std::uniform_real_distribution<double> u(0, 1);
  CustomerInfo c = testing::sample_customer(id);
  const char* ages[] = {"18-25", "26-35", "36-45", "46-55", "56-70", "70+", "unknown"};
  for (size_t i = 0; i < kCustomerFields.size(); ++i) {
    if (u(rng) < 0.1) {
      c.fields[i].null = true;
    } else if (kCustomerFields[i].kind != FieldKind::kText) {
      c.fields[i].number = std::round(2000 * u(rng) - 1000);
    }
  }
  c.fields[*customer_field_index("age_range")].text = ages[static_cast<int>(u(rng) * 7)];
  return c;
}

TEST(TreeEnsemble, FastPathEqualsAPlainWalkBitForBit) {
  std::mt19937 rng(2024);
  std::uniform_real_distribution<double> u(0, 1);
  const FeatureEncoding encoding = FeatureEncoding::original();
  // Mixed departments in one table (the scorer server's case), repeated prices, exact ties.
  std::vector<CouponFeatures> coupons;
  for (int i = 0; i < 300; ++i) {
    const double price = i % 7 == 0 ? 40.0 : std::round((15 + 600 * u(rng)) * 100) / 100;
    const double discount = i % 5 == 0 ? -2.0 : std::round(-800 * u(rng)) / 100;
    coupons.push_back({i, discount, price, static_cast<Category>((i * 7) % kCategoryCount)});
  }
  for (const Kind kind : {Kind::kGradientBoosting, Kind::kRandomForest}) {
    std::vector<Arrays> trees;
    for (int t = 0; t < 30; ++t) trees.push_back(random_tree(rng, 9));
    const TreeEnsemble model(kind, encoding, 0.1, -0.7, trees);
    CouponTable table;
    model.make_table(coupons, table);
    std::vector<double> predictions(coupons.size());
    for (int64_t id = 1; id <= 20; ++id) {
      const CustomerInfo customer = random_customer(rng, id);
      model.score(customer, table, predictions.data());
      std::vector<double> row(encoding.size());
      encoding.encode_customer(customer, row.data());
      for (size_t i = 0; i < coupons.size(); ++i) {
        for (size_t f = 0; f < encoding.size(); ++f) {
          if (!encoding.from_customer(f)) row[f] = encoding.encode_coupon(f, coupons[i]);
        }
        const double want = reference(kind, 0.1, -0.7, trees, row);
        ASSERT_EQ(predictions[i], want) << "customer " << id << " coupon " << i;
        ASSERT_EQ(model.predict(customer, coupons[i]), want)
            << "customer " << id << " coupon " << i;
      }
    }
  }
}

}  // namespace
}  // namespace streamhost::coupon
