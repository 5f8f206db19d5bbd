// The SDK's JSON view of records (record_json.hpp) in a plugin, through the harness: typed getters,
// errors that name the field's path and become REJECT, the parser's bounds, and an author who
// handles the error instead.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <streamhost/plugin_testing.hpp>
#include <string>

namespace {

using streamhost::plugin::testing::PluginHarness;
using ::testing::HasSubstr;

class RecordJson : public ::testing::Test {
 protected:
  void SetUp() override { reader_.configure(); }
  std::string reject_reason(const std::string& value) {
    auto r = reader_.call("read", value);
    EXPECT_EQ(r.status, SH_STATUS_REJECT) << value;
    return r.reason;
  }
  PluginHarness reader_{STREAMHOST_FIXTURE_JSON_READER};
};

constexpr const char* kGood =
    R"({"customer_id": 42, "position": {"lat": 52.5}, "items": [{"sku": "A-1"}]})";

TEST_F(RecordJson, TypedGettersReadTheRecord) {
  auto r = reader_.call("read", kGood);
  ASSERT_EQ(r.status, SH_STATUS_OK) << r.reason;
  EXPECT_EQ(r.emitted.at(0).value, "42|52.500000|A-1|-");
  r = reader_.call("read", R"({"customer_id": -9007199254740993, "position": {"lat": 1},
                               "items": [{"sku": "é"}], "note": "n"})");
  EXPECT_EQ(r.emitted.at(0).value, "-9007199254740993|1.000000|é|n");  // exact past 2^53
}

TEST_F(RecordJson, AWrongTypeIsARejectNamingTheField) {
  EXPECT_EQ(reject_reason(R"({"customer_id": "x"})"),
            R"(payload.customer_id: expected an integer, got "x")");
  EXPECT_EQ(reject_reason(R"({"customer_id": 1.5})"),
            "payload.customer_id: expected an integer, got 1.5");
  EXPECT_EQ(reject_reason(R"({"customer_id": 18446744073709551615})"),
            "payload.customer_id: expected an integer below 2^63, got 18446744073709551615");
  EXPECT_EQ(reject_reason(R"({"customer_id": 1, "position": {"lat": "north"}})"),
            R"(payload.position.lat: expected a number, got "north")");
  EXPECT_EQ(reject_reason(R"({"customer_id": 1, "position": {"lat": 1}, "items": [{"sku": 7}]})"),
            "payload.items[0].sku: expected a string, got 7");
  EXPECT_EQ(reject_reason(R"({"customer_id": 1, "position": {"lat": 1}, "items": []})"),
            "payload.items: has 0 items, no [0]");
  EXPECT_EQ(reject_reason(R"({"customer_id": 1, "position": [1]})"),
            "payload.position: expected an object, got an array");
}

TEST_F(RecordJson, AMissingFieldIsNamed) {
  EXPECT_EQ(reject_reason(R"({"position": {"lat": 1}})"),
            R"(payload: missing field "customer_id")");
  EXPECT_EQ(reject_reason(R"({"customer_id": null})"), R"(payload: missing field "customer_id")");
}

TEST_F(RecordJson, TheParserIsBounded) {
  EXPECT_EQ(reject_reason("{\"customer_id\": 1"),
            "payload: not JSON: Missing a comma or '}' after an object member. (byte 17)");
  EXPECT_EQ(reject_reason(std::string(9, '[') + std::string(9, ']')),
            "payload: not JSON: nested deeper than 8 levels (byte 8)");
  EXPECT_EQ(reject_reason("\"" + std::string(5000, 'a') + "\""),
            "payload: 5002 bytes, above the limit of 4096");
  EXPECT_THAT(reject_reason("{\"customer_id\": \"\xff\"}"), HasSubstr("payload: not JSON: "));
  EXPECT_EQ(reject_reason(R"({"customer_id": "\udc00"})"),
            "payload: not JSON: a string holds an unpaired UTF-16 surrogate escape "
            "(\\uDC00-\\uDFFF) (byte 24)");
}

TEST_F(RecordJson, TheAuthorCanHandleTheError) {
  auto r = reader_.call("tolerant", R"({"customer_id": "x"})");
  ASSERT_EQ(r.status, SH_STATUS_OK) << r.reason;
  EXPECT_EQ(r.emitted.at(0).value,
            R"(unreadable: payload.customer_id: expected an integer, got "x")");
}

}  // namespace
