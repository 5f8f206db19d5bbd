#include <array>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/events.hpp>
#include <streamhost/record_json.hpp>
#include <string>

namespace streamhost::coupon {
namespace {

namespace sp = streamhost::plugin;

constexpr std::array<std::string_view, kCategoryCount> kCategoryNames{"Boys", "Girls", "Men",
                                                                      "Sport", "Women"};

// A value in a reason: its JSON text, cut short so a long string cannot bloat the dead-letter
// envelope, and never inside a UTF-8 sequence so the reason stays UTF-8.
std::string shown(const sp::Json& value) {
  std::string out = value.text();
  constexpr size_t kShown = 40;
  if (out.size() <= kShown) return out;
  size_t cut = kShown;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "...";
}

// The member `key` of `object`, or nullopt when absent. Stricter than Json::find, as the events'
// JSON Schemas were: a null is a wrong type, not an absent field; and a field given twice is
// refused, since the view reads only the first and a second, different value would pass unseen.
std::optional<sp::Json> member(const sp::Json& object, std::string_view key, const char* expected) {
  int seen = 0;
  bool null = false;
  for (const auto& m : object.as_object().raw().GetObject()) {
    if (std::string_view(m.name.GetString(), m.name.GetStringLength()) != key) continue;
    ++seen;
    null = m.value.IsNull();
  }
  if (seen > 1) {
    throw sp::JsonError(object.path() + ": field \"" + std::string(key) + "\" appears " +
                        std::to_string(seen) + " times");
  }
  if (null) {
    throw sp::JsonError(object.path() + "." + std::string(key) + ": expected " + expected +
                        ", got null");
  }
  return object.find(key);
}

sp::Json required(const sp::Json& object, std::string_view key, const char* expected) {
  if (auto found = member(object, key, expected)) return *found;
  throw sp::JsonError(object.path() + ": missing field \"" + std::string(key) + "\"");
}

// The checks common to both events (schema/customer_entry and customer_focus.schema.json): an
// object whose event_type is one of two names, event_timestamp a string when present, and a
// payload object whose customer_id is an integer >= 0. Returns the payload.
sp::Json payload_of(const sp::Json& event, std::string_view type, std::string_view alias,
                    int64_t& customer_id) {
  const sp::Json event_type = required(event, "event_type", "a string");
  const std::string_view name = event_type.as_string();
  if (name != type && name != alias) {
    throw sp::JsonError(event_type.path() + ": " + shown(event_type) + " is not one of \"" +
                        std::string(type) + "\", \"" + std::string(alias) + "\"");
  }
  if (auto stamp = member(event, "event_timestamp", "a string")) stamp->as_string();
  const sp::Json payload = required(event, "payload", "an object").as_object();
  const sp::Json id = required(payload, "customer_id", "an integer");
  customer_id = id.as_int();
  if (customer_id < 0)
    throw sp::JsonError(id.path() + ": " + shown(id) + " is below the minimum 0");
  return payload;
}

// Events are bytes from outside: the view's parser is bounded (1 MiB, 64 levels, UTF-8 checked),
// so a deeply nested event is a clear REJECT, not a stack overflow that kills the host on every
// restart. Its errors name the field's path from "event"; they become the coupon's RejectError.
template <typename F>
auto decoded(std::string_view json, F&& decode) {
  try {
    return decode(sp::Json::parse(json, {}, "event"));
  } catch (const sp::JsonError& e) {
    throw RejectError(e.what());
  }
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
  return decoded(json, [](const sp::Json& event) {
    EntryEvent out;
    payload_of(event, "customer entry", "entry event", out.customer_id);
    return out;
  });
}

FocusEvent decode_focus(std::string_view json) {
  return decoded(json, [](const sp::Json& event) {
    FocusEvent out;
    const sp::Json payload = payload_of(event, "customer focus", "focus event", out.customer_id);
    const sp::Json category = required(payload, "category", "a string");
    const auto parsed = parse_category(category.as_string());
    if (!parsed) {
      throw sp::JsonError(category.path() + ": " + shown(category) +
                          " is not one of Boys, Girls, Men, Sport, Sports, Women");
    }
    out.category = *parsed;
    return out;
  });
}

}  // namespace streamhost::coupon
