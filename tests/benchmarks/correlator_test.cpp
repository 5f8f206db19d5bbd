#include "correlator.hpp"

#include <gtest/gtest.h>

namespace streamhost::loadgen {
namespace {

PredictionResult result(int64_t customer, int64_t coupon, const char* stamp) {
  return {customer, coupon, 0.5, stamp};
}

class LoadgenCorrelatorTest : public ::testing::Test {
 protected:
  // Customers 1 and 2, two focus events each: sequences 0 (c1), 1 (c2), 2 (c1), 3 (c2).
  std::vector<PlannedFocus> plan = plan_focus_events(1, 2, {"Men", "Women"}, 2, true);
  Correlator correlator{plan, 3};
};

TEST_F(LoadgenCorrelatorTest, ResultsOfOneProcessingTimeAnswerOneFocusEvent) {
  for (int64_t s = 0; s < 4; ++s) correlator.mark_sent(s, s * 1000, s * 1000 + 10);
  EXPECT_EQ(correlator.on_result(result(1, 11, "T1"), 50000), 0);
  EXPECT_EQ(correlator.on_result(result(1, 12, "T1"), 50100), 0);
  EXPECT_EQ(correlator.on_result(result(2, 21, "T1"), 51000), 1);
  EXPECT_EQ(correlator.on_result(result(1, 13, "T2"), 60000), 2);
  const auto outcomes = correlator.outcomes();
  EXPECT_EQ(outcomes[0].results.size(), 2u);
  EXPECT_EQ(outcomes[0].first_result_us, 50000);
  EXPECT_EQ(outcomes[2].results.size(), 1u);
  EXPECT_TRUE(outcomes[3].results.empty());
  const auto totals = correlator.totals();
  EXPECT_EQ(totals.sent, 4u);
  EXPECT_EQ(totals.answered, 3u);
  EXPECT_EQ(totals.results, 4u);
  EXPECT_EQ(totals.unexpected, 0u);
}

TEST_F(LoadgenCorrelatorTest, LatencyIsFromIntendedAndFromActualSend) {
  correlator.mark_sent(0, 1000, 4000);
  correlator.on_result(result(1, 11, "T1"), 10000);
  EXPECT_EQ(correlator.corrected().max(), 9000);
  EXPECT_EQ(correlator.uncorrected().max(), 6000);
  // The interval histogram empties on every take.
  EXPECT_EQ(correlator.take_interval().count(), 1u);
  EXPECT_EQ(correlator.take_interval().count(), 0u);
  EXPECT_EQ(correlator.corrected().count(), 1u);
}

TEST_F(LoadgenCorrelatorTest, AFullGroupStartsTheNextFocusEvenWithTheSameTimestamp) {
  // top_n is 3: a fourth result stamped in the same millisecond belongs to the next focus event.
  for (int64_t c : {11, 12, 13, 14}) correlator.on_result(result(1, c, "T1"), 1);
  const auto outcomes = correlator.outcomes();
  EXPECT_EQ(outcomes[0].results.size(), 3u);
  ASSERT_EQ(outcomes[2].results.size(), 1u);
  EXPECT_EQ(outcomes[2].results[0].coupon_id, 14);
}

TEST_F(LoadgenCorrelatorTest, ResultsBeyondThePlanAreUnexpected) {
  correlator.on_result(result(1, 11, "T1"), 1);
  correlator.on_result(result(1, 11, "T2"), 2);
  correlator.on_result(result(1, 11, "T3"), 3);   // customer 1 had only two focus events
  correlator.on_result(result(99, 11, "T1"), 4);  // not a customer of this run
  EXPECT_EQ(correlator.totals().unexpected, 2u);
  EXPECT_EQ(correlator.totals().answered, 2u);
}

TEST_F(LoadgenCorrelatorTest, UnsentFocusGetsNoLatencySample) {
  correlator.on_result(result(2, 21, "T1"), 5);
  EXPECT_EQ(correlator.totals().answered, 1u);
  EXPECT_EQ(correlator.corrected().count(), 0u);
}

}  // namespace
}  // namespace streamhost::loadgen
