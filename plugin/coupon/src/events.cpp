#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <array>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/events.hpp>
#include <streamhost/coupon/schemas.hpp>
#include <streamhost/json/bounded_parse.hpp>
#include <string>

namespace streamhost::coupon {
namespace {

constexpr std::array<std::string_view, kCategoryCount> kCategoryNames{"Boys", "Girls", "Men",
                                                                      "Sport", "Women"};

rapidjson::Document parse_event(std::string_view json, SchemaId schema_id) {
  rapidjson::Document doc;
  // Bounded: an event is bytes from outside, and a deeply nested one must be a clear REJECT, not
  // a stack overflow that kills the host on every restart.
  if (const json::ParseError e = json::parse_bounded(doc, json)) {
    throw RejectError("malformed JSON at offset " + std::to_string(e.offset) + ": " + e.message);
  }
  if (auto why = schema(schema_id).check(doc)) throw RejectError("invalid event: " + *why);
  return doc;
}

// The schema checks "integer >= 0"; an integer beyond int64 still needs a clear reason.
int64_t customer_id_of(const rapidjson::Value& payload) {
  const auto& id = payload["customer_id"];
  if (!id.IsInt64()) throw RejectError("invalid event: payload.customer_id: out of range");
  return id.GetInt64();
}

}  // namespace

std::string_view category_name(Category c) {
  return kCategoryNames[static_cast<int>(c)];
}

std::optional<Category> parse_category(std::string_view name) {
  if (name == "Sports") return Category::kSport;
  for (int i = 0; i < kCategoryCount; ++i) {
    if (kCategoryNames[i] == name) return static_cast<Category>(i);
  }
  return std::nullopt;
}

EntryEvent decode_entry(std::string_view json) {
  rapidjson::Document doc = parse_event(json, SchemaId::kCustomerEntry);
  return EntryEvent{customer_id_of(doc["payload"])};
}

FocusEvent decode_focus(std::string_view json) {
  rapidjson::Document doc = parse_event(json, SchemaId::kCustomerFocus);
  const auto& payload = doc["payload"];
  const auto& category_text = payload["category"];
  auto category =
      parse_category(std::string_view(category_text.GetString(), category_text.GetStringLength()));
  // The schema's enum already limits the names; this guards a schema edit that forgets the code.
  if (!category) throw RejectError("invalid event: payload.category: unknown category");
  return FocusEvent{customer_id_of(payload), *category};
}

}  // namespace streamhost::coupon
