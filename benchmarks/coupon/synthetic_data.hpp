// Synthetic inputs for the coupon benchmarks, built in-process through the library's public API
// (no database): one fully populated customer and catalogs of N coupons per category whose
// features follow the ranges of the retail data (discounts -8..0, item prices 15..600).
#pragma once

#include <memory>
#include <random>
#include <streamhost/coupon/catalog.hpp>
#include <streamhost/coupon/customer.hpp>
#include <streamhost/coupon/model.hpp>
#include <streamhost/coupon/pg_store.hpp>
#include <streamhost/coupon/schemas.hpp>
#include <string>
#include <vector>

namespace streamhost::bench {

using namespace streamhost::coupon;

inline std::shared_ptr<const Model> reference_model() {
  static const auto model = std::make_shared<const Model>(Model::from_json(default_model_text()));
  return model;
}

// A customer with every field set (no NULLs), so scoring and JSON encoding do their full work.
inline CustomerInfo synthetic_customer(int64_t customer_id) {
  CustomerInfo c;
  c.customer_id = customer_id;
  const double numbers[] = {0, 0, 3, 1, 5, 0, -0.9, 420, 97.5, 1.02, -830.2, 41, 61000, 700};
  const char* texts[] = {"26-35", "Married", "", "", "", "F"};
  for (size_t i = 0; i < kCustomerFields.size(); ++i) {
    c.fields[i].null = false;
    if (kCustomerFields[i].kind == FieldKind::kText) {
      c.fields[i].text = texts[i];
    } else {
      c.fields[i].number = numbers[i];
    }
  }
  return c;
}

// `per_category` distinct coupons in every one of the five categories (ids never shared).
inline std::vector<CatalogRow> synthetic_catalog_rows(int per_category) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> discount(-8.0, -0.01);
  std::uniform_real_distribution<double> price(15.0, 600.0);
  std::vector<CatalogRow> rows;
  rows.reserve(static_cast<size_t>(per_category) * kCategoryCount);
  int64_t next_id = 1;
  for (int c = 0; c < kCategoryCount; ++c) {
    for (int i = 0; i < per_category; ++i) {
      rows.push_back({next_id++, static_cast<Category>(c), discount(rng), price(rng)});
    }
  }
  return rows;
}

// Serves every customer id from memory: the benchmarks measure the CPU path, not PostgreSQL.
class InMemoryCustomers final : public CustomerSource {
 public:
  std::optional<CustomerInfo> fetch_customer(int64_t customer_id) override {
    return synthetic_customer(customer_id);
  }
};

inline std::string focus_event(int64_t customer_id, const char* category) {
  return R"({"event_type":"customer focus","event_timestamp":"2026-11-28T23:41:10.123Z",)"
         R"("payload":{"customer_id":)" +
         std::to_string(customer_id) + R"(,"category":")" + category + R"("}})";
}

inline std::string entry_event(int64_t customer_id) {
  return R"({"event_type":"customer entry","event_timestamp":"2026-11-28T23:41:10.123Z",)"
         R"("payload":{"customer_id":)" +
         std::to_string(customer_id) + "}}";
}

}  // namespace streamhost::bench
