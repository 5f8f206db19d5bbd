// A scorer outage in the coupon pipeline: with COUPON_SCORER_URL pointing at our own
// `coupon-scorer`, killing the scorer must hold focus events back (RETRY, nothing emitted, nothing
// committed, /readyz not ready) rather than drop them; a restarted streamhost handles them again;
// once the scorer is back every result arrives and the pipeline is ready again.
#include <gtest/gtest.h>

#include "admin_probe.hpp"
#include "coupon_support.hpp"
#include "e2e_support.hpp"
#include "topic_io.hpp"

namespace streamhost::e2e {
namespace {

using namespace std::chrono_literals;

const char* kRetried = "streamhost_records_retried_total";
const char* kFocus = "route=\"focus\"";

bool scorer_healthy(int port) {
  return http_call(port, "GET", "/healthcheck").status == 200;
}

class CouponScorerOutage : public ProcessTest {};

TEST_F(CouponScorerOutage, FocusEventsWaitUncommittedForTheScorerAndAllResultsArriveAfterIt) {
  testing::StackEndpoints stack;
  ASSERT_TRUE(testing::read_stack(stack));
  ASSERT_FALSE(HasFailure());
  const CouponTopics topics = CouponTopics::make("outage");
  // One `stack topic` call: the four TopicCommand JVMs start side by side.
  testing::create_topics(
      {{topics.entry, 1}, {topics.focus, 1}, {topics.predictions, 1}, {topics.dead_letters, 1}});
  ASSERT_FALSE(HasFailure());
  CouponReference reference;
  TopicWriter writer(stack);
  TopicReader reader(stack, {topics.predictions, topics.dead_letters}, topics.group + "-check");

  const int scorer_port = free_port();
  ChildProcess* scorer = &start_scorer("scorer-1", scorer_port);
  ASSERT_TRUE(wait_for([&] { return scorer_healthy(scorer_port) || !scorer->running(); }, 30s));
  ASSERT_TRUE(scorer->running()) << "coupon-scorer exited early";
  const std::string scorer_url = "http://127.0.0.1:" + std::to_string(scorer_port) + "/score";
  const std::string manifest = Built::repo("manifests/pipelines/coupon.yaml");

  int admin_port = free_port();
  ChildProcess* host =
      &start_streamhost("streamhost-1", manifest, topics.env(admin_port, scorer_url));
  auto admin = std::make_unique<AdminProbe>(admin_port);
  ASSERT_TRUE(wait_for([&] { return admin->ready() || !host->running(); }, 90s))
      << "not ready: " << admin->readyz().body;

  // The HTTP scorer path works: one focus event scored through our scorer.
  const int64_t first = 20;
  const std::string first_category = reference.category_with_results(first, "Women");
  ASSERT_FALSE(first_category.empty());
  const auto first_expected = reference.expected(first, first_category);
  ASSERT_EQ(
      writer.produce_one(topics.focus, std::to_string(first), focus_event(first, first_category)),
      "");
  ASSERT_TRUE(reader.read_until(
      [&](const auto& rs) {
        return results_of(rs, topics.predictions, first).size() >= first_expected.size();
      },
      60s));
  EXPECT_TRUE(results_match(results_of(reader.records(), topics.predictions, first), first,
                            first_expected));

  // Outage.
  const auto scorer_exit = scorer->terminate(30s);
  EXPECT_EQ(scorer_exit, std::optional<int>(0)) << "coupon-scorer should stop cleanly on SIGTERM";
  const std::vector<int64_t> held = {21, 22};
  std::map<int64_t, std::vector<Expected>> expected;
  for (int64_t customer : held) {
    const std::string category = reference.category_with_results(customer, "Sport");
    ASSERT_FALSE(category.empty());
    expected[customer] = reference.expected(customer, category);
    ASSERT_EQ(
        writer.produce_one(topics.focus, std::to_string(customer), focus_event(customer, category)),
        "");
  }
  ASSERT_TRUE(wait_for([&] { return admin->metric(kRetried, kFocus) >= 1; }, 60s))
      << "the focus route never answered RETRY while the scorer was down";
  EXPECT_TRUE(wait_for([&] { return admin->readyz().status == 503; }, 60s))
      << "/readyz still says: " << admin->readyz().status << " " << admin->readyz().body;
  const double retried_before = admin->metric(kRetried, kFocus);
  EXPECT_TRUE(wait_for([&] { return admin->metric(kRetried, kFocus) > retried_before; }, 60s))
      << "the retried counter stopped growing";
  reader.poll_once();
  for (int64_t customer : held)
    EXPECT_EQ(results_of(reader.records(), topics.predictions, customer).size(), 0u)
        << "customer " << customer << " got results without a scorer";
  EXPECT_TRUE(of_topic(reader.records(), topics.dead_letters).empty()) << "an outage is no reject";

  // Stop and start again, still without the scorer: the held records were not committed, so the
  // new process handles (and retries) them again.
  expect_graceful_stop(*host);
  admin_port = free_port();
  host = &start_streamhost("streamhost-2", manifest, topics.env(admin_port, scorer_url));
  admin = std::make_unique<AdminProbe>(admin_port);
  ASSERT_TRUE(
      wait_for([&] { return admin->metric(kRetried, kFocus) >= 1 || !host->running(); }, 90s))
      << "the restarted process never saw the held focus events again";
  ASSERT_TRUE(host->running()) << "streamhost-2 exited early";
  EXPECT_EQ(admin->readyz().status, 503) << admin->readyz().body;
  // Long enough for the plugin's circuit breaker to open (5 consecutive failed calls by default),
  // so the recovery below goes through its half-open trial too.
  EXPECT_TRUE(wait_for([&] { return admin->metric(kRetried, kFocus) >= 6; }, 90s))
      << "the retried counter stopped growing at " << admin->metric(kRetried, kFocus);
  reader.poll_once();
  for (int64_t customer : held)
    EXPECT_EQ(results_of(reader.records(), topics.predictions, customer).size(), 0u);

  // The scorer is back: every held event is scored, and the pipeline is ready again.
  const auto scorer_back = std::chrono::steady_clock::now();
  scorer = &start_scorer("scorer-2", scorer_port);
  ASSERT_TRUE(wait_for([&] { return scorer_healthy(scorer_port) || !scorer->running(); }, 30s));
  ASSERT_TRUE(scorer->running()) << "coupon-scorer could not start again on port " << scorer_port;
  size_t total = 0;
  for (const auto& [customer, e] : expected) total += e.size();
  ASSERT_TRUE(reader.read_until(
      [&](const auto& rs) {
        size_t n = 0;
        for (int64_t customer : held) n += results_of(rs, topics.predictions, customer).size();
        return n >= total;
      },
      150s))
      << "results did not arrive after the scorer came back";
  std::cout << "results arrived "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - scorer_back)
                   .count()
            << " ms after the scorer was restarted (retry backoff and circuit breaker)\n";
  for (int64_t customer : held)
    EXPECT_TRUE(results_match(results_of(reader.records(), topics.predictions, customer), customer,
                              expected[customer]));
  EXPECT_TRUE(wait_for([&] { return admin->ready(); }, 60s)) << "/readyz: " << admin->readyz().body;
  EXPECT_EQ(results_of(reader.records(), topics.predictions, first).size(), first_expected.size())
      << "the event scored before the outage was committed and must not be scored again";

  expect_graceful_stop(*host);
  EXPECT_EQ(scorer->terminate(30s), std::optional<int>(0));
}

}  // namespace
}  // namespace streamhost::e2e
