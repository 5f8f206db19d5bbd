// Coupon events (plugin/coupon/src/events.cpp): the bytes of an entry or focus record, straight
// from Kafka. Both decoders see every input.
//
// Invariants: only RejectError escapes; its reason is readable text (valid UTF-8, not empty, not
// much longer than the input, since it lands in the dead-letter envelope); an accepted event is
// strict JSON whose payload really holds the decoded customer id (and category).
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/events.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace streamhost;
using streamhost::fuzz::printable;

void check_reason(const char* decoder, std::string_view input, const std::string& reason) {
  FUZZ_CHECK(!reason.empty(), std::string(decoder) + ": empty reject reason");
  FUZZ_CHECK(fuzz::strict_utf8(reason),
             std::string(decoder) + ": reason is not UTF-8: " + printable(reason));
  FUZZ_CHECK(reason.size() <= input.size() + 512,
             std::string(decoder) + ": a " + std::to_string(input.size()) + "-byte event gave a " +
                 std::to_string(reason.size()) + "-byte reason");
}

// The accepted event, read independently of the decoder.
const rapidjson::Value& payload_of(const rapidjson::Document& doc, std::string_view input,
                                   std::initializer_list<std::string_view> event_types) {
  FUZZ_CHECK(doc.IsObject(), "accepted a non-object: " + printable(input));
  auto type = doc.FindMember("event_type");
  FUZZ_CHECK(type != doc.MemberEnd() && type->value.IsString(),
             "accepted without an event_type: " + printable(input));
  const std::string_view t(type->value.GetString(), type->value.GetStringLength());
  bool known = false;
  for (std::string_view e : event_types) known = known || t == e;
  FUZZ_CHECK(known, "accepted event_type \"" + printable(t) + "\"");
  auto payload = doc.FindMember("payload");
  FUZZ_CHECK(payload != doc.MemberEnd() && payload->value.IsObject(),
             "accepted without a payload object: " + printable(input));
  return payload->value;
}

void check_customer_id(const rapidjson::Value& payload, int64_t decoded, std::string_view input) {
  auto id = payload.FindMember("customer_id");
  FUZZ_CHECK(id != payload.MemberEnd() && id->value.IsInt64() && id->value.GetInt64() >= 0 &&
                 id->value.GetInt64() == decoded,
             "decoded customer_id " + std::to_string(decoded) + " from " + printable(input));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = fuzz::as_text(data, size);

  try {
    const coupon::EntryEvent entry = coupon::decode_entry(input);
    FUZZ_CHECK(fuzz::is_strict_json(input), "entry accepted non-JSON: " + printable(input));
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(input.data(), input.size());
    const auto& payload = payload_of(doc, input, {"customer entry", "entry event"});
    check_customer_id(payload, entry.customer_id, input);
  } catch (const coupon::RejectError& e) {
    check_reason("decode_entry", input, e.what());
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("decode_entry let through: ") + e.what());
  }

  try {
    const coupon::FocusEvent focus = coupon::decode_focus(input);
    FUZZ_CHECK(fuzz::is_strict_json(input), "focus accepted non-JSON: " + printable(input));
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(input.data(), input.size());
    const auto& payload = payload_of(doc, input, {"customer focus", "focus event"});
    check_customer_id(payload, focus.customer_id, input);
    auto category = payload.FindMember("category");
    FUZZ_CHECK(category != payload.MemberEnd() && category->value.IsString(),
               "focus accepted without a category: " + printable(input));
    const std::string_view name(category->value.GetString(), category->value.GetStringLength());
    const std::string_view expected = name == "Sports" ? "Sport" : name;
    FUZZ_CHECK(coupon::category_name(focus.category) == expected,
               "category \"" + printable(name) + "\" decoded as " +
                   std::string(coupon::category_name(focus.category)));
  } catch (const coupon::RejectError& e) {
    check_reason("decode_focus", input, e.what());
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("decode_focus let through: ") + e.what());
  }
  return 0;
}
