// What the reference model needs from the database, read with plain SQL (not through the plugin):
// a customer's customer_info row and a category's coupons.
#pragma once

#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "pg_fixture.hpp"
#include "reference_model.hpp"

namespace streamhost::coupon::testing {

inline Row read_customer_row(PgTestConnection& pg, int64_t customer_id) {
  static const char* kColumns[] = {"age_range",
                                   "marital_status",
                                   "family_size",
                                   "no_of_children",
                                   "income_bracket",
                                   "gender",
                                   "mean_discount_used_by_cust",
                                   "unique_items_bought_by_cust",
                                   "mean_selling_price_paid_by_cust",
                                   "mean_quantity_bought_by_cust",
                                   "total_discount_used_by_cust",
                                   "total_coupons_used_by_cust",
                                   "total_price_paid_by_cust",
                                   "total_quantity_bought_by_cust"};
  std::string select = "SELECT ";
  for (size_t i = 0; i < std::size(kColumns); ++i)
    select += (i ? ", " : "") + std::string(kColumns[i]);
  const auto rows = pg.query(select + " FROM customer_info WHERE customer_id = $1",
                             {std::to_string(customer_id)});
  if (rows.empty())
    throw std::runtime_error("customer " + std::to_string(customer_id) +
                             " is not in customer_info");
  Row row;
  for (size_t i = 0; i < std::size(kColumns); ++i) row[kColumns[i]] = rows[0][i];
  return row;
}

// `category` as stored (Sport, not Sports).
inline std::vector<ReferenceCoupon> read_category_coupons(PgTestConnection& pg,
                                                          const std::string& category) {
  std::vector<ReferenceCoupon> coupons;
  for (const auto& r :
       pg.query("SELECT DISTINCT i.coupon_id, i.mean_coupon_discount, i.mean_item_price "
                "FROM coupon_info i JOIN coupon_categories c ON c.coupon_id = i.coupon_id "
                "WHERE c.category = $1 AND i.mean_coupon_discount IS NOT NULL "
                "AND i.mean_item_price IS NOT NULL",
                {category})) {
    coupons.push_back({std::stoll(*r[0]), std::stod(*r[1]), std::stod(*r[2])});
  }
  return coupons;
}

}  // namespace streamhost::coupon::testing
