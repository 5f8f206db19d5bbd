// A customer's context: one row of customer_info, the features the model and the scorer read.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace streamhost::coupon {

enum class FieldKind { kText, kInteger, kReal };

struct CustomerFieldDef {
  const char* name;
  FieldKind kind;
};

// customer_info's columns after customer_id, in table order.
inline constexpr std::array<CustomerFieldDef, 14> kCustomerFields{{
    {"age_range", FieldKind::kText},
    {"marital_status", FieldKind::kText},
    {"family_size", FieldKind::kInteger},
    {"no_of_children", FieldKind::kInteger},
    {"income_bracket", FieldKind::kInteger},
    {"gender", FieldKind::kText},
    {"mean_discount_used_by_cust", FieldKind::kReal},
    {"unique_items_bought_by_cust", FieldKind::kInteger},
    {"mean_selling_price_paid_by_cust", FieldKind::kReal},
    {"mean_quantity_bought_by_cust", FieldKind::kReal},
    {"total_discount_used_by_cust", FieldKind::kReal},
    {"total_coupons_used_by_cust", FieldKind::kInteger},
    {"total_price_paid_by_cust", FieldKind::kReal},
    {"total_quantity_bought_by_cust", FieldKind::kInteger},
}};

// Index into kCustomerFields, or nullopt for an unknown name.
std::optional<size_t> customer_field_index(std::string_view name);

// One column's value; SQL NULL is `null`. Integers are held exactly in `number`.
struct FieldValue {
  bool null = true;
  double number = 0;
  std::string text;
};

struct CustomerInfo {
  int64_t customer_id = 0;
  std::array<FieldValue, kCustomerFields.size()> fields;

  const FieldValue& field(size_t i) const { return fields[i]; }
};

// Writes the customer as the scorer request's "customer" object (nulls for unknown values).
void write_customer_json(const CustomerInfo& customer,
                         rapidjson::Writer<rapidjson::StringBuffer>& writer);
std::string customer_to_json(const CustomerInfo& customer);

// Reads a "customer" object already validated against the scorer request schema (absent = null).
CustomerInfo customer_from_json(const rapidjson::Value& object);

}  // namespace streamhost::coupon
