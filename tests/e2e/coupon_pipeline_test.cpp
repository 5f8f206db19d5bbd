// The coupon pipeline (manifests/pipelines/coupon.yaml) end to end: the real `streamhost` binary
// with the coupon plugin, real Kafka behind the REST proxy, the stack's PostgreSQL. Results are
// compared with predictions computed in the test from the database rows and model.json.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>

#include "admin_probe.hpp"
#include "coupon_support.hpp"
#include "e2e_support.hpp"
#include "topic_io.hpp"

namespace streamhost::e2e {
namespace {

using namespace std::chrono_literals;

class CouponPipeline : public ProcessTest {
 protected:
  void SetUp() override {
    ProcessTest::SetUp();
    ASSERT_FALSE(HasFailure());
    ASSERT_TRUE(testing::read_stack(stack_));
    topics_ = CouponTopics::make("coupon");
    // One `stack topic` call: the four TopicCommand JVMs start side by side.
    testing::create_topics({{topics_.entry, 1},
                            {topics_.focus, 1},
                            {topics_.predictions, 1},
                            {topics_.dead_letters, 1}});
    ASSERT_FALSE(HasFailure());
    reference_ = std::make_unique<CouponReference>();
    writer_ = std::make_unique<TopicWriter>(stack_);
  }

  // Starts the pipeline with the embedded model and waits until it reports ready.
  void start_pipeline() {
    admin_port_ = free_port();
    host_ = &start_streamhost("streamhost", Built::repo("manifests/pipelines/coupon.yaml"),
                              topics_.env(admin_port_));
    admin_ = std::make_unique<AdminProbe>(admin_port_);
    ASSERT_TRUE(wait_for([&] { return admin_->ready() || !host_->running(); }, 90s))
        << "not ready: " << admin_->readyz().body;
    ASSERT_TRUE(host_->running()) << "streamhost exited early";
  }

  testing::StackEndpoints stack_;
  CouponTopics topics_;
  std::unique_ptr<CouponReference> reference_;
  std::unique_ptr<TopicWriter> writer_;
  int admin_port_ = 0;
  ChildProcess* host_ = nullptr;
  std::unique_ptr<AdminProbe> admin_;
};

TEST_F(CouponPipeline, EntryThenFocusYieldsTheModelsPredictionsKeyedByCustomer) {
  start_pipeline();
  ASSERT_FALSE(HasFailure());
  TopicReader reader(stack_, {topics_.predictions, topics_.dead_letters}, topics_.group + "-check");

  // The original service's example customers; 8 gets no entry event (focus must read the database
  // itself), 1 uses the original schema's spelling "Sports".
  struct Case {
    int64_t customer;
    std::string category;
    bool entry;
  };
  std::vector<Case> cases = {{7, reference_->category_with_results(7, "Sport"), true},
                             {3, reference_->category_with_results(3, "Boys"), true},
                             {8, reference_->category_with_results(8, "Women"), false}};
  const bool sports_has_results = !reference_->expected(1, "Sport").empty();
  if (sports_has_results) cases.push_back({1, "Sports", true});
  for (const auto& c : cases) ASSERT_FALSE(c.category.empty()) << "customer " << c.customer;

  for (const auto& c : cases) {
    if (c.entry) {
      ASSERT_EQ(
          writer_->produce_one(topics_.entry, std::to_string(c.customer), entry_event(c.customer)),
          "");
    }
  }
  const double entries = static_cast<double>(
      std::count_if(cases.begin(), cases.end(), [](const Case& c) { return c.entry; }));
  // Entry events handled first: the focus events then find the context in the plugin's cache.
  ASSERT_TRUE(wait_for(
      [&] {
        return admin_->metric("streamhost_handler_status_total",
                              std::vector<std::string>{"route=\"entry\"", "status=\"ok\""}) >=
               entries;
      },
      60s));
  for (const auto& c : cases) {
    ASSERT_EQ(writer_->produce_one(topics_.focus, std::to_string(c.customer),
                                   focus_event(c.customer, c.category)),
              "");
  }

  size_t total = 0;
  std::map<int64_t, std::vector<Expected>> expected;
  for (const auto& c : cases) {
    expected[c.customer] = reference_->expected(c.customer, c.category);
    total += expected[c.customer].size();
  }
  ASSERT_TRUE(reader.read_until(
      [&](const auto& rs) { return of_topic(rs, topics_.predictions).size() >= total; }, 90s))
      << of_topic(reader.records(), topics_.predictions).size() << " of " << total << " results";
  for (const auto& c : cases) {
    EXPECT_TRUE(results_match(results_of(reader.records(), topics_.predictions, c.customer),
                              c.customer, expected[c.customer]))
        << "category " << c.category;
  }
  EXPECT_TRUE(of_topic(reader.records(), topics_.dead_letters).empty());
  EXPECT_GE(admin_->metric("streamhost_plugin_coupon_context_cache_hits_total"), entries)
      << "focus events after entry events should find the cached context";

  // One more focus event on a warm pipeline: its end-to-end latency, reported (not asserted).
  const int64_t timed = 10;
  const std::string timed_category = reference_->category_with_results(timed, "Men");
  ASSERT_FALSE(timed_category.empty());
  const size_t timed_count = reference_->expected(timed, timed_category).size();
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(writer_->produce_one(topics_.focus, std::to_string(timed),
                                 focus_event(timed, timed_category)),
            "");
  ASSERT_TRUE(reader.read_until(
      [&](const auto& rs) {
        return results_of(rs, topics_.predictions, timed).size() >= timed_count;
      },
      60s));
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - sent);
  std::cout << "end-to-end latency of one focus event (produce call to last result read): "
            << took.count() << " ms\n";
  RecordProperty("focus_event_latency_ms", static_cast<int>(took.count()));

  expect_graceful_stop(*host_);
}

// One rejected record as the dead-letter envelope describes it.
struct Envelope {
  std::string key, value, topic, route, status, reason;
};

std::map<std::string, Envelope> envelopes_by_key(const std::vector<ConsumedRecord>& records) {
  std::map<std::string, Envelope> out;
  for (const auto& r : records) {
    rapidjson::Document doc;
    doc.Parse(r.value.value_or(""));
    if (doc.HasParseError() || !doc.IsObject()) continue;
    auto text = [&](const char* name) {
      return doc.HasMember(name) && doc[name].IsString() ? std::string(doc[name].GetString())
                                                         : std::string();
    };
    out[text("key")] = {text("key"),   text("value"),  text("topic"),
                        text("route"), text("status"), text("reason")};
  }
  return out;
}

TEST_F(CouponPipeline, BadEventsReachTheDeadLetterTopicWithAReasonWhileGoodOnesAreScored) {
  start_pipeline();
  ASSERT_FALSE(HasFailure());
  TopicReader reader(stack_, {topics_.predictions, topics_.dead_letters}, topics_.group + "-check");

  const int64_t before = 11, after = 12;
  const std::string before_category = reference_->category_with_results(before, "Girls");
  const std::string after_category = reference_->category_with_results(after, "Men");
  ASSERT_FALSE(before_category.empty());
  ASSERT_FALSE(after_category.empty());

  // key -> (topic, value, what the reason must mention)
  struct Bad {
    std::string topic, value;
    std::vector<std::string> reason_mentions;
  };
  const std::map<std::string, Bad> bad = {
      {"unknown-customer",
       {topics_.focus, focus_event(99999, "Men"), {"unknown customer", "99999"}}},
      {"malformed-json",
       {topics_.focus,
        R"({"event_type":"customer focus","payload":{"customer_id":12,)",
        {"event: not JSON"}}},
      {"wrong-type",
       {topics_.focus,
        R"({"event_type":"customer focus","payload":{"customer_id":"7","category":"Men"}})",
        {"payload.customer_id", "integer"}}},
      {"missing-field",
       {topics_.focus,
        R"({"event_type":"customer focus","payload":{"category":"Men"}})",
        {"event.payload", "missing field \"customer_id\""}}},
      {"unknown-category", {topics_.focus, focus_event(7, "Toys"), {"payload.category", "Toys"}}},
      // Half a megabyte of brackets once crashed the host's recursive parser, on every restart.
      {"deep-nesting",
       {topics_.focus,
        std::string(265000, '[') + std::string(265000, ']'),
        {"event: not JSON", "nested deeper than 64 levels"}}},
      {"unknown-customer-entry",
       {topics_.entry, entry_event(99998), {"unknown customer", "99998"}}},
  };

  ASSERT_EQ(writer_->produce_one(topics_.focus, std::to_string(before),
                                 focus_event(before, before_category)),
            "");
  for (const auto& [key, b] : bad)
    ASSERT_EQ(writer_->produce_one(b.topic, key, b.value), "") << key;
  ASSERT_EQ(writer_->produce_one(topics_.focus, std::to_string(after),
                                 focus_event(after, after_category)),
            "");

  const auto expected_before = reference_->expected(before, before_category);
  const auto expected_after = reference_->expected(after, after_category);
  ASSERT_TRUE(reader.read_until(
      [&](const auto& rs) {
        return of_topic(rs, topics_.dead_letters).size() >= bad.size() &&
               of_topic(rs, topics_.predictions).size() >=
                   expected_before.size() + expected_after.size();
      },
      90s))
      << of_topic(reader.records(), topics_.dead_letters).size() << " dead letters, "
      << of_topic(reader.records(), topics_.predictions).size() << " results";

  EXPECT_TRUE(results_match(results_of(reader.records(), topics_.predictions, before), before,
                            expected_before));
  EXPECT_TRUE(results_match(results_of(reader.records(), topics_.predictions, after), after,
                            expected_after));

  const auto envelopes = envelopes_by_key(of_topic(reader.records(), topics_.dead_letters));
  EXPECT_EQ(envelopes.size(), bad.size());
  for (const auto& [key, b] : bad) {
    const auto it = envelopes.find(key);
    if (it == envelopes.end()) {
      ADD_FAILURE() << "no dead letter for " << key;
      continue;
    }
    const Envelope& e = it->second;
    EXPECT_EQ(e.value, b.value) << key << ": the envelope must carry the original bytes";
    EXPECT_EQ(e.topic, b.topic) << key;
    EXPECT_EQ(e.route, b.topic == topics_.entry ? "entry" : "focus") << key;
    EXPECT_EQ(e.status, "reject") << key;
    for (const auto& word : b.reason_mentions)
      EXPECT_NE(e.reason.find(word), std::string::npos)
          << key << ": reason \"" << e.reason << "\" should mention " << word;
  }
  // Counted once the proxy acknowledged the envelope, which may be just after the reader saw it.
  EXPECT_TRUE(wait_for(
      [&] {
        return admin_->metric("streamhost_dead_letters_total") == static_cast<double>(bad.size());
      },
      10s))
      << admin_->metric("streamhost_dead_letters_total") << " dead letters counted";
  expect_graceful_stop(*host_);
}

}  // namespace
}  // namespace streamhost::e2e
