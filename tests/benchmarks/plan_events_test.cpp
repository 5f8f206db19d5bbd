#include <gtest/gtest.h>

#include "events.hpp"
#include "plan.hpp"

namespace streamhost::loadgen {
namespace {

TEST(LoadgenPlan, RoundRobinOverCustomersRotatingCategories) {
  const auto plan = plan_focus_events(10, 12, {"Boys", "Girls", "Men"}, 2, /*rotate=*/true);
  ASSERT_EQ(plan.size(), 6u);
  const int64_t customers[] = {10, 11, 12, 10, 11, 12};
  const char* categories[] = {"Boys", "Girls", "Men", "Girls", "Men", "Boys"};
  for (size_t i = 0; i < plan.size(); ++i) {
    EXPECT_EQ(plan[i].sequence, static_cast<int64_t>(i));
    EXPECT_EQ(plan[i].customer_id, customers[i]);
    EXPECT_EQ(plan[i].category, categories[i]);
  }
}

TEST(LoadgenPlan, WithoutRotationACustomerKeepsOneDepartment) {
  const auto plan = plan_focus_events(10, 12, {"Boys", "Girls"}, 2, /*rotate=*/false);
  const char* categories[] = {"Boys", "Girls", "Boys", "Boys", "Girls", "Boys"};
  ASSERT_EQ(plan.size(), 6u);
  for (size_t i = 0; i < plan.size(); ++i) EXPECT_EQ(plan[i].category, categories[i]) << i;
}

TEST(LoadgenPlan, RejectsEmptyInputs) {
  EXPECT_THROW(plan_focus_events(5, 4, {"Men"}, 1, false), std::invalid_argument);
  EXPECT_THROW(plan_focus_events(1, 4, {}, 1, false), std::invalid_argument);
}

TEST(LoadgenPlan, IntendedSendTimesFollowTheRate) {
  EXPECT_EQ(intended_send_us(1000, 0, 2000), 1000);
  EXPECT_EQ(intended_send_us(1000, 1, 2000), 1500);
  EXPECT_EQ(intended_send_us(1000, 2000, 2000), 1001000);
}

TEST(LoadgenEvents, TimestampsRoundTrip) {
  const int64_t us = 1764373270123456;  // 2025-11-28T23:41:10.123456Z
  EXPECT_EQ(iso8601_millis(us), "2025-11-28T23:41:10.123Z");
  EXPECT_EQ(parse_iso8601_ms("2025-11-28T23:41:10.123Z"), us / 1000);
  EXPECT_EQ(parse_iso8601_ms("2025-11-28T23:41:10Z"), us / 1000000 * 1000);
  EXPECT_EQ(parse_iso8601_ms("2025-11-28T23:41:10.1Z"), us / 1000000 * 1000 + 100);
  EXPECT_FALSE(parse_iso8601_ms("2025-11-28 23:41:10Z"));
  EXPECT_FALSE(parse_iso8601_ms("2025-11-28T23:41:10.123"));
  EXPECT_FALSE(parse_iso8601_ms(""));
}

TEST(LoadgenEvents, FocusCarriesCustomerCategoryAndSequence) {
  EXPECT_EQ(focus_event_json(7, "Women", 0, 42),
            R"({"event_type":"customer focus","event_timestamp":"1970-01-01T00:00:00.000Z",)"
            R"("payload":{"customer_id":7,"category":"Women","loadgen_seq":42}})");
  EXPECT_EQ(entry_event_json(7, 0),
            R"({"event_type":"customer entry","event_timestamp":"1970-01-01T00:00:00.000Z",)"
            R"("payload":{"customer_id":7}})");
}

TEST(LoadgenEvents, DecodesAPredictionResult) {
  std::string why;
  const auto r = decode_prediction_result(
      R"({"event_type":"prediction result","event_timestamp":"2021-03-18T08:29:02.160Z",)"
      R"("payload":{"customer_id":7,"coupon_id":1003,"prediction":0.8125}})",
      why);
  ASSERT_TRUE(r) << why;
  EXPECT_EQ(r->customer_id, 7);
  EXPECT_EQ(r->coupon_id, 1003);
  EXPECT_DOUBLE_EQ(r->prediction, 0.8125);
  EXPECT_EQ(r->event_timestamp, "2021-03-18T08:29:02.160Z");
}

TEST(LoadgenEvents, RefusesWhatIsNotAPredictionResult) {
  std::string why;
  EXPECT_FALSE(decode_prediction_result("not json", why));
  EXPECT_FALSE(decode_prediction_result(R"({"event_type":"customer focus","payload":{}})", why));
  EXPECT_FALSE(decode_prediction_result(
      R"({"event_type":"prediction result","payload":{"customer_id":"7","coupon_id":1,"prediction":0.5}})",
      why));
  EXPECT_NE(why, "");
}

}  // namespace
}  // namespace streamhost::loadgen
