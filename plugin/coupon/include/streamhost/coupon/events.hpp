// Decoding and validation of the incoming events (schema/customer_entry, customer_focus).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace streamhost::coupon {

enum class Category { kBoys, kGirls, kMen, kSport, kWomen };
inline constexpr int kCategoryCount = 5;

// The canonical spelling, as in the data set ("Sport").
std::string_view category_name(Category c);
// Accepts the canonical names plus "Sports" (the original schema's spelling of Sport).
std::optional<Category> parse_category(std::string_view name);

struct EntryEvent {
  int64_t customer_id = 0;
};

struct FocusEvent {
  int64_t customer_id = 0;
  Category category = Category::kBoys;
};

// Both read the event through the SDK's JSON view (streamhost/record_json.hpp) and throw
// RejectError with a reason naming the field's path ("event.payload: missing field
// \"customer_id\"", "event.payload.customer_id: expected an integer, got \"x\"", "event: not JSON:
// ... (byte 3)").
EntryEvent decode_entry(std::string_view json);
FocusEvent decode_focus(std::string_view json);

}  // namespace streamhost::coupon
