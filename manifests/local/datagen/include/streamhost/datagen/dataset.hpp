#pragma once

// The synthetic cache-database data set: customers, coupons and the coupon/item/category rows, in
// the same value domains and roughly the same sizes as the seed service's real data.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace streamhost::datagen {

// Money-like values are kept as hundredths (the real data has two decimals) so output is exact.
using Centi = std::int64_t;

inline constexpr std::array<std::string_view, 5> kCategories = {"Boys", "Girls", "Men", "Sport",
                                                                "Women"};
inline constexpr std::array<std::string_view, 6> kAgeRanges = {"18-25", "26-35", "36-45",
                                                               "46-55", "56-70", "70+"};

struct Customer {
  int customer_id = 0;
  std::string_view age_range;
  std::string_view marital_status;  // "Married" or "Single"
  int family_size = 0;              // 1..5 (5 stands for five or more)
  int no_of_children = 0;           // 0..3 (3 stands for three or more)
  int income_bracket = 0;           // 1..12
  std::string_view gender;          // "M" or "F"
  Centi mean_discount_used = 0;     // <= 0
  int unique_items_bought = 0;
  Centi mean_selling_price_paid = 0;
  Centi mean_quantity_bought = 0;  // >= 1.00
  Centi total_discount_used = 0;   // <= 0
  int total_coupons_used = 0;
  Centi total_price_paid = 0;
  int total_quantity_bought = 0;
};

struct Coupon {
  int coupon_id = 0;
  Centi mean_coupon_discount = 0;  // < 0
  Centi mean_item_price = 0;
};

struct CouponItem {
  int coupon_id = 0;
  int item_id = 0;
  std::string_view category;
};

struct Sizes {
  int customers = 1582;
  int coupons = 1116;
  int item_ids = 74061;  // item ids are drawn from 1..item_ids
};

struct Dataset {
  std::vector<Customer> customers;
  std::vector<Coupon> coupons;
  std::vector<CouponItem> coupon_items;
};

// One customer, computed on its own (customer ids start at 1).
Customer make_customer(std::uint64_t seed, int customer_id);

// The category of an item is a fixed function of the seed and the item id.
std::string_view item_category(std::uint64_t seed, int item_id);

Dataset generate(std::uint64_t seed, const Sizes& sizes = {});

// "-1.75", "1.0", "102.22": two decimals with a trailing zero dropped, as the real CSVs print them.
std::string format_centi(Centi value);

// Writes coupon_categories.csv, coupon_info.csv and customer_info.csv (the seed's CSV layout).
void write_csv(const Dataset& data, const std::filesystem::path& dir);

}  // namespace streamhost::datagen
