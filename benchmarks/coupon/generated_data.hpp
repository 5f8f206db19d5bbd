// The project's generated data set (streamhost-datagen's generator, seed 42), in memory and in the
// plugin's types: what the benchmark models were trained on, so their trees meet realistic rows.
#pragma once

#include <map>
#include <optional>
#include <streamhost/coupon/catalog.hpp>
#include <streamhost/coupon/customer.hpp>
#include <streamhost/coupon/pg_store.hpp>
#include <string>
#include <vector>

#include "streamhost/datagen/dataset.hpp"
#include "synthetic_data.hpp"

namespace streamhost::bench {

struct GeneratedData {
  GeneratedData() {
    namespace dg = streamhost::datagen;
    const dg::Dataset d = dg::generate(42);
    // Values go through their CSV text, as the plugin reads them from PostgreSQL.
    auto number = [](dg::Centi c) { return std::stod(dg::format_centi(c)); };
    for (const dg::Customer& c : d.customers) {
      CustomerInfo info;
      info.customer_id = c.customer_id;
      auto set = [&](const char* column, double value, std::string_view text = {}) {
        FieldValue& v = info.fields[*customer_field_index(column)];
        v.null = false;
        v.number = value;
        v.text = std::string(text);
      };
      set("age_range", 0, c.age_range);
      set("marital_status", 0, c.marital_status);
      set("family_size", c.family_size);
      set("no_of_children", c.no_of_children);
      set("income_bracket", c.income_bracket);
      set("gender", 0, c.gender);
      set("mean_discount_used_by_cust", number(c.mean_discount_used));
      set("unique_items_bought_by_cust", c.unique_items_bought);
      set("mean_selling_price_paid_by_cust", number(c.mean_selling_price_paid));
      set("mean_quantity_bought_by_cust", number(c.mean_quantity_bought));
      set("total_discount_used_by_cust", number(c.total_discount_used));
      set("total_coupons_used_by_cust", c.total_coupons_used);
      set("total_price_paid_by_cust", number(c.total_price_paid));
      set("total_quantity_bought_by_cust", c.total_quantity_bought);
      customers.push_back(std::move(info));
    }
    std::map<int, const dg::Coupon*> coupons;
    for (const dg::Coupon& c : d.coupons) coupons[c.coupon_id] = &c;
    for (const dg::CouponItem& item : d.coupon_items) {
      const auto category = parse_category(item.category);
      const auto coupon = coupons.find(item.coupon_id);
      if (!category || coupon == coupons.end()) continue;
      catalog.push_back({item.coupon_id, *category, number(coupon->second->mean_coupon_discount),
                         number(coupon->second->mean_item_price)});
    }
  }
  std::vector<CustomerInfo> customers;  // by customer_id
  std::vector<CatalogRow> catalog;      // (coupon, department) rows, duplicates included
};

// Serves the generated customers by id, from memory.
class GeneratedCustomers final : public CustomerSource {
 public:
  explicit GeneratedCustomers(const GeneratedData& data) : data_(data) {}
  std::optional<CustomerInfo> fetch_customer(int64_t customer_id) override {
    if (customer_id < 1 || static_cast<size_t>(customer_id) > data_.customers.size())
      return std::nullopt;
    return data_.customers[static_cast<size_t>(customer_id - 1)];
  }

 private:
  const GeneratedData& data_;
};

}  // namespace streamhost::bench
