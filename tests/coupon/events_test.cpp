// Decoding and validation of entry and focus events: every way an event is rejected names why.
#include <gtest/gtest.h>

#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/events.hpp>

#include "coupon_test_support.hpp"

namespace streamhost::coupon {
namespace {

std::string reject_reason_of_focus(const std::string& json) {
  try {
    decode_focus(json);
  } catch (const RejectError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string reject_reason_of_entry(const std::string& json) {
  try {
    decode_entry(json);
  } catch (const RejectError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(CouponEvents, DecodesAnEntryEvent) {
  EXPECT_EQ(decode_entry(testing::entry_event("42")).customer_id, 42);
}

TEST(CouponEvents, AcceptsTheOriginalServiceEventTypeAliases) {
  EXPECT_EQ(decode_entry(R"({"event_type":"entry event","payload":{"customer_id":3}})").customer_id,
            3);
  const auto focus = decode_focus(
      R"({"event_type":"focus event","payload":{"customer_id":7,"category":"Sport"}})");
  EXPECT_EQ(focus.customer_id, 7);
  EXPECT_EQ(focus.category, Category::kSport);
}

TEST(CouponEvents, AcceptsSportsAsSport) {
  EXPECT_EQ(decode_focus(testing::focus_event("1", "Sports")).category, Category::kSport);
  EXPECT_EQ(decode_focus(testing::focus_event("1", "Sport")).category, Category::kSport);
  EXPECT_EQ(decode_focus(testing::focus_event("1", "Women")).category, Category::kWomen);
}

TEST(CouponEvents, AllowsExtraFieldsAndNoTimestamp) {
  EXPECT_EQ(
      decode_entry(
          R"({"event_type":"customer entry","trace":"x","payload":{"customer_id":5,"store":9}})")
          .customer_id,
      5);
}

TEST(CouponEvents, RejectsMalformedJson) {
  EXPECT_EQ(reject_reason_of_entry("{\"event_type\":"),
            "event: not JSON: Invalid value. (byte 14)");
  EXPECT_EQ(reject_reason_of_entry("").find("event: not JSON: "), 0u);
}

TEST(CouponEvents, RejectsPoisonWithoutRecursingOrReadingPastTheBytes) {
  // Deep nesting: refused at the 65th level, never parsed recursively (this once overflowed the
  // stack), in the value, in a member, and in a field the schema does not constrain.
  const std::string deep = std::string(300000, '[') + std::string(300000, ']');
  EXPECT_NE(reject_reason_of_focus(deep).find("nested deeper than 64 levels"), std::string::npos);
  const std::string in_extra = R"({"event_type":"customer focus","x":)" + deep +
                               R"(,"payload":{"customer_id":1,"category":"Men"}})";
  EXPECT_EQ(reject_reason_of_focus(in_extra).find("event: not JSON: nested deeper than 64 levels"),
            0u);
  // Nesting within the bound is fine where the schema allows extra fields.
  const std::string shallow = R"({"event_type":"customer focus","x":)" + std::string(50, '[') +
                              std::string(50, ']') +
                              R"(,"payload":{"customer_id":1,"category":"Men"}})";
  EXPECT_EQ(decode_focus(shallow).customer_id, 1);
  // Invalid UTF-8 inside a string.
  EXPECT_NE(reject_reason_of_focus(
                "{\"event_type\":\"customer focus\xff\",\"payload\":{\"customer_id\":1,"
                "\"category\":\"Men\"}}")
                .find("Invalid encoding"),
            std::string::npos);
  // Truncated, and bytes after the value.
  EXPECT_NE(reject_reason_of_focus(testing::focus_event("1", "Men").substr(0, 30)).find("not JSON"),
            std::string::npos);
  EXPECT_NE(reject_reason_of_focus(testing::focus_event("1", "Men") + "x").find("not JSON"),
            std::string::npos);
}

// Found by fuzzing (tests/fuzz/coupon_events_fuzz.cpp): RapidJSON 1.1 validates the bytes but
// decodes a lone "\udc00" escape into bytes that are not UTF-8, stops reading at a NUL byte and
// reads 1.8e308-9.9e308 as infinity.
TEST(CouponEvents, RejectsALoneSurrogateEscapeBytesAfterANulAndInfinity) {
  EXPECT_NE(reject_reason_of_entry(testing::entry_event("1").replace(1, 0, "\"x\":2e308,"))
                .find("beyond the range of a double"),
            std::string::npos);
  EXPECT_NE(reject_reason_of_entry(testing::entry_event("1").replace(1, 0, "\"x\":\"\\udc00\","))
                .find("unpaired UTF-16 surrogate"),
            std::string::npos);
  EXPECT_NE(reject_reason_of_entry(testing::entry_event("1") + std::string("\0garbage", 8))
                .find("unexpected bytes after the JSON value"),
            std::string::npos);
  EXPECT_EQ(decode_entry(R"({"x":"\ud83d\ude00","event_type":"customer entry","payload":)"
                         R"({"customer_id":2}})")
                .customer_id,
            2)
      << "a surrogate pair is fine";
}

TEST(CouponEvents, RejectsANonObject) {
  EXPECT_EQ(reject_reason_of_entry("[1]"), "event: expected an object, got an array");
}

TEST(CouponEvents, RejectsAWrongEventType) {
  EXPECT_EQ(
      reject_reason_of_entry(testing::focus_event("1", "Boys")),
      "event.event_type: \"customer focus\" is not one of \"customer entry\", \"entry event\"");
  EXPECT_EQ(
      reject_reason_of_focus(testing::entry_event("1")),
      "event.event_type: \"customer entry\" is not one of \"customer focus\", \"focus event\"");
  // A long value is cut short in the reason, which lands in the dead-letter envelope.
  EXPECT_EQ(reject_reason_of_entry(R"({"event_type":")" + std::string(1000, 'x') +
                                   R"(","payload":{"customer_id":1}})"),
            "event.event_type: \"" + std::string(39, 'x') +
                "... is not one of \"customer entry\", \"entry event\"");
}

TEST(CouponEvents, RejectsMissingFieldsByName) {
  EXPECT_EQ(reject_reason_of_entry(R"({"payload":{"customer_id":1}})"),
            "event: missing field \"event_type\"");
  EXPECT_EQ(reject_reason_of_entry(R"({"event_type":"customer entry"})"),
            "event: missing field \"payload\"");
  EXPECT_EQ(reject_reason_of_entry(R"({"event_type":"customer entry","payload":{}})"),
            "event.payload: missing field \"customer_id\"");
  EXPECT_EQ(
      reject_reason_of_focus(R"({"event_type":"customer focus","payload":{"customer_id":1}})"),
      "event.payload: missing field \"category\"");
}

TEST(CouponEvents, RejectsWrongTypesByName) {
  EXPECT_EQ(reject_reason_of_entry(testing::entry_event("\"7\"")),
            "event.payload.customer_id: expected an integer, got \"7\"");
  EXPECT_EQ(reject_reason_of_entry(testing::entry_event("7.5")),
            "event.payload.customer_id: expected an integer, got 7.5");
  EXPECT_EQ(
      reject_reason_of_entry(
          R"({"event_type":"customer entry","event_timestamp":5,"payload":{"customer_id":1}})"),
      "event.event_timestamp: expected a string, got 5");
  EXPECT_EQ(reject_reason_of_entry(R"({"event_type":"customer entry","payload":[1]})"),
            "event.payload: expected an object, got an array");
}

// The view reads a null member as absent and only the first of two members of one name; the
// events' JSON Schemas refused both, and so does the decoder.
TEST(CouponEvents, RejectsNullsAndRepeatedFields) {
  EXPECT_EQ(
      reject_reason_of_entry(
          R"({"event_type":"customer entry","event_timestamp":null,"payload":{"customer_id":1}})"),
      "event.event_timestamp: expected a string, got null");
  EXPECT_EQ(
      reject_reason_of_entry(R"({"event_type":"customer entry","payload":{"customer_id":null}})"),
      "event.payload.customer_id: expected an integer, got null");
  EXPECT_EQ(reject_reason_of_focus(R"({"event_type":"customer focus","payload":null})"),
            "event.payload: expected an object, got null");
  EXPECT_EQ(reject_reason_of_entry(
                R"({"event_type":"customer entry","payload":{"customer_id":1,"customer_id":"x"}})"),
            "event.payload: field \"customer_id\" appears 2 times");
  EXPECT_EQ(reject_reason_of_focus(
                R"({"event_type":"customer focus","event_type":"customer focus","payload":)"
                R"({"customer_id":1,"category":"Men"}})"),
            "event: field \"event_type\" appears 2 times");
}

TEST(CouponEvents, RejectsAnEventAboveOneMebibyte) {
  const std::string padding(size_t{1} << 20, 'x');
  EXPECT_EQ(reject_reason_of_entry(R"({"pad":")" + padding +
                                   R"(","event_type":"customer entry",)"
                                   R"("payload":{"customer_id":1}})"),
            "event: 1048644 bytes, above the limit of 1048576");
}

TEST(CouponEvents, RejectsNegativeAndHugeCustomerIds) {
  EXPECT_EQ(reject_reason_of_entry(testing::entry_event("-1")),
            "event.payload.customer_id: -1 is below the minimum 0");
  EXPECT_EQ(reject_reason_of_entry(testing::entry_event("18446744073709551615")),
            "event.payload.customer_id: expected an integer below 2^63, got "
            "18446744073709551615");
}

TEST(CouponEvents, RejectsAnUnknownCategory) {
  EXPECT_EQ(reject_reason_of_focus(testing::focus_event("1", "Shoes")),
            "event.payload.category: \"Shoes\" is not one of Boys, Girls, Men, Sport, "
            "Sports, Women");
  EXPECT_EQ(
      reject_reason_of_focus(testing::focus_event("1", "boys")).find("event.payload.category"), 0u);
}

TEST(CouponEvents, CategoryNamesRoundTrip) {
  for (int i = 0; i < kCategoryCount; ++i) {
    const auto c = static_cast<Category>(i);
    EXPECT_EQ(parse_category(category_name(c)), c);
  }
  EXPECT_FALSE(parse_category("Kids").has_value());
}

}  // namespace
}  // namespace streamhost::coupon
