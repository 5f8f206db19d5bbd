// The coupon pipeline against a scorer that speaks only the original prediction service's API (the
// strict stand-in of tests/support): every request the plugin sends is the original's, and what
// the pipeline publishes is that scorer's answer ranked as the original service ranked it (best
// 5, above 0.2). The stand-in's predictions come from no model in the project, so a result that
// matches them can only have come through the HTTP scorer path.
#include <gtest/gtest.h>
// clang-format off
#include <streamhost/testing/original_scorer.hpp>
// clang-format on

#include <algorithm>

#include "admin_probe.hpp"
#include "coupon_support.hpp"
#include "e2e_support.hpp"
#include "topic_io.hpp"

namespace streamhost::e2e {
namespace {

using namespace std::chrono_literals;
using streamhost::testing::OriginalScorerStandIn;

// The original service's ranking of the stand-in's answer: best first, at most 5, above 0.2.
std::vector<Expected> ranked(int64_t customer_id, const std::vector<int64_t>& coupon_ids) {
  std::vector<Expected> kept;
  for (int64_t id : coupon_ids) {
    const double p = OriginalScorerStandIn::prediction_for(customer_id, id);
    if (p > 0.2) kept.push_back({id, p});
  }
  std::sort(kept.begin(), kept.end(), [](const Expected& a, const Expected& b) {
    return a.prediction != b.prediction ? a.prediction > b.prediction : a.coupon_id < b.coupon_id;
  });
  if (kept.size() > 5) kept.resize(5);
  return kept;
}

class CouponOriginalScorer : public ProcessTest {};

TEST_F(CouponOriginalScorer, OnlyOriginalRequestsAreSentAndItsAnswersArePublishedBestFive) {
  testing::StackEndpoints stack;
  ASSERT_TRUE(testing::read_stack(stack));
  ASSERT_FALSE(HasFailure());
  const CouponTopics topics = CouponTopics::make("original-scorer");
  for (const auto& t : {topics.entry, topics.focus, topics.predictions, topics.dead_letters})
    testing::create_topic(stack, t, 1);
  ASSERT_FALSE(HasFailure());
  OriginalScorerStandIn original;
  TopicWriter writer(stack);
  TopicReader reader(stack, {topics.predictions, topics.dead_letters}, topics.group + "-check");

  const int admin_port = free_port();
  ChildProcess& host = start_streamhost("streamhost", Built::repo("manifests/pipelines/coupon.yaml"),
                                        topics.env(admin_port, original.score_url()));
  AdminProbe admin(admin_port);
  // Readiness includes the scorer's GET /healthcheck beside its POST /score.
  ASSERT_TRUE(wait_for([&] { return admin.ready() || !host.running(); }, 90s))
      << "not ready: " << admin.readyz().body;

  struct Case {
    int64_t customer;
    std::string category;
  };
  const std::vector<Case> cases = {{7, "Men"}, {3, "Sport"}, {21, "Women"}};
  for (const auto& c : cases) {
    ASSERT_EQ(writer.produce_one(topics.entry, std::to_string(c.customer), entry_event(c.customer)),
              "");
  }
  std::map<int64_t, std::vector<Expected>> expected;
  for (const auto& c : cases) {
    const int before = original.valid_requests.load();
    ASSERT_EQ(writer.produce_one(topics.focus, std::to_string(c.customer),
                                 focus_event(c.customer, c.category)),
              "");
    // One focus event at a time, so the stand-in's last request is this department's.
    ASSERT_TRUE(wait_for(
        [&] { return original.valid_requests.load() > before || original.invalid_requests > 0; },
        60s));
    ASSERT_EQ(original.invalid_requests.load(), 0) << original.last_refusal();
    const std::vector<int64_t> ids = original.last_coupon_ids();
    EXPECT_GT(ids.size(), 100u) << "a department holds hundreds of coupons";
    expected[c.customer] = ranked(c.customer, ids);
    ASSERT_FALSE(expected[c.customer].empty());
    ASSERT_TRUE(reader.read_until(
        [&](const auto& rs) {
          return results_of(rs, topics.predictions, c.customer).size() >=
                 expected[c.customer].size();
        },
        60s));
  }
  for (const auto& c : cases) {
    EXPECT_TRUE(results_match(results_of(reader.records(), topics.predictions, c.customer),
                              c.customer, expected[c.customer]))
        << "customer " << c.customer << " in " << c.category;
  }
  EXPECT_EQ(original.invalid_requests.load(), 0) << original.last_refusal();
  EXPECT_TRUE(of_topic(reader.records(), topics.dead_letters).empty());
  expect_graceful_stop(host);
}

}  // namespace
}  // namespace streamhost::e2e
