// The synthetic data generator: same seed, same data; values stay inside the real data's domains.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "streamhost/datagen/dataset.hpp"

namespace dg = streamhost::datagen;

namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const dg::Dataset& seed42() {
  static const dg::Dataset data = dg::generate(42);
  return data;
}

}  // namespace

TEST(Datagen, SameSeedWritesIdenticalFiles) {
  const auto base = std::filesystem::temp_directory_path() /
                    ("streamhost-datagen-test-" + std::to_string(::getpid()));
  dg::write_csv(dg::generate(7), base / "a");
  dg::write_csv(dg::generate(7), base / "b");
  for (const char* f : {"coupon_categories.csv", "coupon_info.csv", "customer_info.csv"}) {
    const std::string a = slurp(base / "a" / f);
    EXPECT_FALSE(a.empty()) << f;
    EXPECT_EQ(a, slurp(base / "b" / f)) << f;
  }
  std::filesystem::remove_all(base);
}

TEST(Datagen, DifferentSeedsDiffer) {
  const auto a = dg::generate(1);
  const auto b = dg::generate(2);
  EXPECT_NE(a.coupon_items.size(), b.coupon_items.size());
  EXPECT_NE(dg::make_customer(1, 1).total_price_paid, dg::make_customer(2, 1).total_price_paid);
}

// Pins the generator's output: a change here changes every synthetic data set, so make it on
// purpose.
TEST(Datagen, KnownValuesForSeed42) {
  const auto c = dg::make_customer(42, 1);
  EXPECT_EQ(c.age_range, "70+");
  EXPECT_EQ(c.marital_status, "Married");
  EXPECT_EQ(c.family_size, 3);
  EXPECT_EQ(c.no_of_children, 1);
  EXPECT_EQ(c.income_bracket, 5);
  EXPECT_EQ(c.gender, "F");
  EXPECT_EQ(dg::format_centi(c.mean_discount_used), "-0.08");
  EXPECT_EQ(dg::format_centi(c.mean_selling_price_paid), "101.15");
  EXPECT_EQ(seed42().customers.size(), 1582U);
  EXPECT_EQ(seed42().coupons.size(), 1116U);
}

TEST(Datagen, RowsMatchTheirStandaloneGenerator) {
  for (int id : {1, 500, 1582}) {
    const auto& row = seed42().customers[static_cast<std::size_t>(id - 1)];
    const auto again = dg::make_customer(42, id);
    EXPECT_EQ(row.customer_id, id);
    EXPECT_EQ(row.total_price_paid, again.total_price_paid);
    EXPECT_EQ(row.age_range, again.age_range);
  }
}

TEST(Datagen, CustomersStayInTheRealDomains) {
  const std::set<std::string_view> ages(dg::kAgeRanges.begin(), dg::kAgeRanges.end());
  std::set<std::string_view> seen_ages;
  for (const auto& c : seed42().customers) {
    EXPECT_TRUE(ages.count(c.age_range)) << c.customer_id;
    seen_ages.insert(c.age_range);
    EXPECT_TRUE(c.marital_status == "Married" || c.marital_status == "Single");
    EXPECT_TRUE(c.gender == "M" || c.gender == "F");
    EXPECT_GE(c.family_size, 1);
    EXPECT_LE(c.family_size, 5);
    EXPECT_GE(c.no_of_children, 0);
    EXPECT_LE(c.no_of_children, 3);
    EXPECT_LE(c.no_of_children, std::max(0, c.family_size - 1));
    EXPECT_GE(c.income_bracket, 1);
    EXPECT_LE(c.income_bracket, 12);
    EXPECT_LE(c.mean_discount_used, 0);
    EXPECT_GE(c.mean_discount_used, -1140);
    EXPECT_LE(c.total_discount_used, 0);
    EXPECT_GE(c.mean_quantity_bought, 100);
    EXPECT_LE(c.mean_quantity_bought, 185);
    EXPECT_GE(c.total_quantity_bought, 80);
    EXPECT_GE(c.unique_items_bought, 47);
    EXPECT_LE(c.unique_items_bought, 2432);
    EXPECT_GE(c.mean_selling_price_paid, 4491);
    EXPECT_LE(c.mean_selling_price_paid, 20443);
    EXPECT_GE(c.total_coupons_used, 0);
    EXPECT_LE(c.total_coupons_used, 430);
    EXPECT_GT(c.total_price_paid, 0);
  }
  EXPECT_EQ(seen_ages.size(), ages.size());
}

TEST(Datagen, EveryCategoryHoldsSeveralHundredCoupons) {
  std::map<std::string_view, std::set<int>> coupons_by_category;
  std::set<std::pair<int, int>> pairs;
  for (const auto& row : seed42().coupon_items) {
    coupons_by_category[row.category].insert(row.coupon_id);
    EXPECT_TRUE(pairs.insert({row.coupon_id, row.item_id}).second) << "duplicate coupon item";
    EXPECT_EQ(row.category, dg::item_category(42, row.item_id));
  }
  ASSERT_EQ(coupons_by_category.size(), dg::kCategories.size());
  for (auto category : dg::kCategories) {
    const auto n = coupons_by_category[category].size();
    EXPECT_GE(n, 500U) << category;
    EXPECT_LE(n, 1116U) << category;
  }
  EXPECT_GT(seed42().coupon_items.size(), 50000U);
  EXPECT_LT(seed42().coupon_items.size(), 150000U);
  for (const auto& c : seed42().coupons) {
    EXPECT_LT(c.mean_coupon_discount, 0);
    EXPECT_GE(c.mean_coupon_discount, -7124);
    EXPECT_GT(c.mean_item_price, 0);
  }
}

TEST(Datagen, FormatsLikeTheRealCsv) {
  EXPECT_EQ(dg::format_centi(100), "1.0");
  EXPECT_EQ(dg::format_centi(103), "1.03");
  EXPECT_EQ(dg::format_centi(-175), "-1.75");
  EXPECT_EQ(dg::format_centi(-8), "-0.08");
  EXPECT_EQ(dg::format_centi(0), "0.0");
  EXPECT_EQ(dg::format_centi(1039820), "10398.2");
}
