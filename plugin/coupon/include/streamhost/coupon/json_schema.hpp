// A compiled JSON Schema (draft-04, RapidJSON) that explains a failure by naming the field.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace streamhost::coupon {

// Why a value does not conform: where, what, and the JSON Schema keyword that failed.
struct SchemaViolation {
  // Path of the offending field from the document's root: member names and array indexes as text
  // ({"coupons", "3", "coupon_id"}); empty for the root itself.
  std::vector<std::string> location;
  std::string
      message;  // "missing field coupons.3.coupon_id", "customer.gender: expected string..."
  std::string keyword;  // "required", "type", "enum", "minimum", "additionalProperties", ...
};

class JsonSchema {
 public:
  // Throws std::invalid_argument when `schema_text` is not JSON.
  explicit JsonSchema(std::string_view schema_text);
  JsonSchema(const JsonSchema&) = delete;
  JsonSchema& operator=(const JsonSchema&) = delete;

  // nullopt when `value` conforms; otherwise a reason naming the offending field, such as
  // "payload.customer_id: expected integer" or "missing field payload.category".
  // Thread-safe: the compiled schema is immutable, each call uses its own validator.
  std::optional<std::string> check(const rapidjson::Value& value) const;
  // The same, with the offending field's location as a path.
  std::optional<SchemaViolation> violation(const rapidjson::Value& value) const;

 private:
  rapidjson::Document schema_json_;
  rapidjson::SchemaDocument schema_;
};

// Why `doc` did not parse, and where: "Missing a name for object member. (offset 1)". Call it only
// when doc.HasParseError().
std::string parse_error_text(const rapidjson::Document& doc);

// "payload.customer_id" for the JSON pointer "/payload/customer_id"; "(document)" for the root.
std::string field_name_of_pointer(std::string_view json_pointer);

}  // namespace streamhost::coupon
