// A compiled JSON Schema (draft-04, RapidJSON) that explains a failure by naming the field.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include <optional>
#include <string>
#include <string_view>

namespace streamhost::coupon {

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

 private:
  rapidjson::Document schema_json_;
  rapidjson::SchemaDocument schema_;
};

// "payload.customer_id" for the JSON pointer "/payload/customer_id"; "(document)" for the root.
std::string field_name_of_pointer(std::string_view json_pointer);

}  // namespace streamhost::coupon
