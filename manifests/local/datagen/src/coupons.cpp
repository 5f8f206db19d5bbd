// Coupons and their items. Each item belongs to one category; a coupon covers a category through
// its items. Item counts per coupon are heavy-tailed as in the real data (median ~10, a few
// coupons with thousands of items), which makes each category hold several hundred coupons.

#include <array>
#include <unordered_set>

#include "streamhost/datagen/dataset.hpp"
#include "weighted.hpp"

namespace streamhost::datagen {
namespace {

constexpr std::uint64_t kCouponStream = 2;
constexpr std::uint64_t kItemStream = 3;
// Item rows per category in the real data: Boys, Girls, Men, Sport, Women.
constexpr std::array<int, 5> kCategoryWeights = {10429, 10448, 21016, 17290, 33472};

Coupon make_coupon(SplitMix64& rng, int coupon_id) {
  Coupon c;
  c.coupon_id = coupon_id;
  // Real: median -1.65, most between -3.4 and -0.1, down to -71.24.
  c.mean_coupon_discount = -(rng.chance(0.99) ? rng.between(1, 330) : rng.between(330, 7124));
  // Real: median ~119, 90% below ~293, up to 1235.86.
  const double u = rng.unit();
  c.mean_item_price =
      rng.chance(0.98) ? 3000 + static_cast<Centi>(30000.0 * u * u) : rng.between(33000, 123586);
  return c;
}

int items_for_coupon(SplitMix64& rng) {
  if (rng.chance(0.015)) return static_cast<int>(rng.between(800, 5500));
  // 10 * (1/u - 1): median 10, a long tail, capped to keep the total near the real ~92k rows.
  const double u = 1.0 - rng.unit();  // (0, 1]
  const double n = 10.0 * (1.0 / u - 1.0);
  return n >= 150.0 ? 150 : 1 + static_cast<int>(n);
}

}  // namespace

std::string_view item_category(std::uint64_t seed, int item_id) {
  SplitMix64 rng(mix_seed(seed, kItemStream, static_cast<std::uint64_t>(item_id)));
  return kCategories[pick_weighted(rng, kCategoryWeights)];
}

Dataset generate(std::uint64_t seed, const Sizes& sizes) {
  Dataset d;
  d.customers.reserve(static_cast<std::size_t>(sizes.customers));
  for (int id = 1; id <= sizes.customers; ++id) d.customers.push_back(make_customer(seed, id));

  d.coupons.reserve(static_cast<std::size_t>(sizes.coupons));
  for (int id = 1; id <= sizes.coupons; ++id) {
    SplitMix64 rng(mix_seed(seed, kCouponStream, static_cast<std::uint64_t>(id)));
    d.coupons.push_back(make_coupon(rng, id));
    const int wanted = std::min(items_for_coupon(rng), sizes.item_ids);
    std::unordered_set<int> seen;
    // Items are recorded in draw order (not set order), so the output never depends on hashing.
    while (static_cast<int>(seen.size()) < wanted) {
      const int item = static_cast<int>(rng.between(1, sizes.item_ids));
      if (seen.insert(item).second) d.coupon_items.push_back({id, item, item_category(seed, item)});
    }
  }
  return d;
}

}  // namespace streamhost::datagen
