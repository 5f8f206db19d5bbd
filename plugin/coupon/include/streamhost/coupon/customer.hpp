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
  const char* name;  // the customer_info column
  const char* wire;  // the scorer API's field (the original prediction service's request)
  FieldKind kind;
};

// customer_info's columns after customer_id, in table order, with the renames the original
// recommendation service applied when it built a scorer request
// (shared/seed/prediction-service-api.md).
inline constexpr std::array<CustomerFieldDef, 14> kCustomerFields{{
    {"age_range", "age_range", FieldKind::kText},
    {"marital_status", "marital_status", FieldKind::kText},
    {"family_size", "family_size", FieldKind::kInteger},
    {"no_of_children", "no_of_children", FieldKind::kInteger},
    {"income_bracket", "income_bracket", FieldKind::kInteger},
    {"gender", "gender", FieldKind::kText},
    {"mean_discount_used_by_cust", "mean_discount_used", FieldKind::kReal},
    {"unique_items_bought_by_cust", "total_unique_items_bought", FieldKind::kInteger},
    {"mean_selling_price_paid_by_cust", "mean_selling_price_paid", FieldKind::kReal},
    {"mean_quantity_bought_by_cust", "mean_quantity_bought", FieldKind::kReal},
    {"total_discount_used_by_cust", "total_discount_used", FieldKind::kReal},
    {"total_coupons_used_by_cust", "total_coupons_redeemed", FieldKind::kInteger},
    {"total_price_paid_by_cust", "total_price_paid", FieldKind::kReal},
    {"total_quantity_bought_by_cust", "total_quantity_bought", FieldKind::kInteger},
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

// The first column that is NULL, or nullptr when the row is complete. The scorer API requires every
// field, so an incomplete customer cannot be sent to a scorer.
const CustomerFieldDef* first_unknown_field(const CustomerInfo& customer);

// Writes the customer as the scorer request's "customer" object, under the API's field names.
// The customer must be complete (first_unknown_field() == nullptr); a NULL is written as null.
void write_customer_json(const CustomerInfo& customer,
                         rapidjson::Writer<rapidjson::StringBuffer>& writer);
std::string customer_to_json(const CustomerInfo& customer);

// Reads a "customer" object already validated against the scorer request schema.
CustomerInfo customer_from_json(const rapidjson::Value& object);

}  // namespace streamhost::coupon
