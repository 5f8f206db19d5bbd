// Customers: demographics drawn with the real data's frequencies, spending aggregates kept
// consistent with each other (totals = means x quantities) and within the real data's ranges.

#include <algorithm>
#include <array>

#include "streamhost/datagen/dataset.hpp"
#include "weighted.hpp"

namespace streamhost::datagen {
namespace {

constexpr std::uint64_t kCustomerStream = 1;
constexpr std::array<int, 6> kAgeWeights = {87, 282, 380, 561, 125, 147};

// (marital status, family size) pairs with their real counts.
struct Household {
  std::string_view marital;
  int family_size;
  int weight;
};
constexpr std::array<Household, 9> kHouseholds = {{{"Married", 2, 573},
                                                   {"Single", 1, 532},
                                                   {"Married", 3, 177},
                                                   {"Married", 5, 112},
                                                   {"Married", 4, 72},
                                                   {"Single", 2, 72},
                                                   {"Single", 3, 31},
                                                   {"Single", 4, 8},
                                                   {"Single", 5, 5}}};
constexpr std::array<int, 12> kIncomeWeights = {110, 138, 157, 330, 385, 188,
                                                71,  86,  61,  23,  12,  21};

// Children given the family size, from the real (family size, children) counts.
int children_for(SplitMix64& rng, int family_size) {
  switch (family_size) {
    case 1:
      return 0;
    case 2:
      return rng.between(0, 644) < 573 ? 0 : 1;
    case 3:
      return rng.between(0, 207) < 189 ? 1 : 2;
    case 4:
      return rng.between(0, 79) < 75 ? 2 : 3;
    default:
      return 3;
  }
}

}  // namespace

Customer make_customer(std::uint64_t seed, int customer_id) {
  SplitMix64 rng(mix_seed(seed, kCustomerStream, static_cast<std::uint64_t>(customer_id)));
  Customer c;
  c.customer_id = customer_id;
  c.age_range = kAgeRanges[pick_weighted(rng, kAgeWeights)];
  std::array<int, kHouseholds.size()> household_weights{};
  for (std::size_t i = 0; i < kHouseholds.size(); ++i) household_weights[i] = kHouseholds[i].weight;
  const Household& h = kHouseholds[pick_weighted(rng, household_weights)];
  c.marital_status = h.marital;
  c.family_size = h.family_size;
  c.no_of_children = children_for(rng, h.family_size);
  c.income_bracket = static_cast<int>(pick_weighted(rng, kIncomeWeights)) + 1;
  c.gender = rng.between(0, 1581) < 841 ? "F" : "M";

  // Quantity: most customers buy a few hundred items, a few buy thousands (real range 80..4628).
  const double uq = rng.unit();
  int quantity = 80 + static_cast<int>(1900.0 * uq * (0.3 + 0.7 * uq));
  if (rng.chance(0.03)) quantity += static_cast<int>(rng.between(0, 2848));
  c.total_quantity_bought = quantity;

  // Mean quantity per purchase line: usually exactly 1.0, rarely up to 1.85.
  if (rng.chance(0.45)) {
    c.mean_quantity_bought = 100;
  } else if (rng.chance(0.98)) {
    const double u = rng.unit();
    c.mean_quantity_bought = 100 + static_cast<Centi>(20.0 * u * u);
  } else {
    c.mean_quantity_bought = 100 + rng.between(0, 85);
  }
  const int lines = std::max(1, static_cast<int>(quantity * 100 / c.mean_quantity_bought));
  c.unique_items_bought =
      std::clamp(static_cast<int>(lines * (45 + rng.between(0, 35)) / 100), 47, 2432);

  // Mean price paid: centred near 101, real range 44.91..204.43.
  const double up = (rng.unit() + rng.unit() + rng.unit()) / 3.0;
  c.mean_selling_price_paid =
      std::clamp<Centi>(6000 + static_cast<Centi>(8200.0 * up), 4491, 20443);
  c.total_price_paid = c.mean_selling_price_paid * quantity + rng.between(-50, 50);

  // Discount: zero for about one customer in eight, usually small, rarely down to -11.40.
  Centi discount = 0;
  if (!rng.chance(0.12)) {
    const double ud = rng.unit();
    discount = rng.chance(0.98) ? static_cast<Centi>(120.0 * ud * ud * ud) : rng.between(0, 1140);
  }
  c.mean_discount_used = -discount;
  c.total_discount_used = std::max<Centi>(-discount * quantity, -1041574);
  const double coupons_used = static_cast<double>(quantity) * static_cast<double>(discount) *
                              0.00042 * (0.8 + 0.4 * rng.unit());
  c.total_coupons_used = std::min(430, static_cast<int>(coupons_used + 0.5));
  return c;
}

}  // namespace streamhost::datagen
