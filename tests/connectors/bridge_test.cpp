// The connectors against the local stack's real Kafka through its REST proxy: round trips, commits,
// at-least-once redelivery and instance recreation. Topic and group names carry random suffixes.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <streamhost/connector/errors.hpp>
#include <streamhost/connector/rest_proxy.hpp>

#include "bridge_support.hpp"

namespace streamhost::testing {
namespace {

using namespace std::chrono_literals;
using connector::ConsumedRecord;
using connector::OutgoingRecord;

class Bridge : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { connector::init_http_threads(2); }
  void SetUp() override {
    if (!read_stack(stack_)) GTEST_FAIL() << "the local stack is required";
  }

  // `instance_name` empty: a random instance name per consumer instance, as by default.
  std::unique_ptr<connector::Source> source(const std::string& group,
                                            const std::string& instance_name = "") {
    connector::ConsumerOptions c;
    c.group = group;
    c.auto_offset_reset = "earliest";
    c.instance_prefix = "streamhost-test";
    c.instance_name = instance_name;
    return connector::make_rest_proxy_source(stack_options(stack_), c);
  }

  // Where the proxy keeps a named consumer instance (both dialects use this path).
  std::string instance_url(const std::string& group, const std::string& instance_name) const {
    return stack_.proxy_url + "/consumers/" + group + "/instances/" + instance_name;
  }

  std::unique_ptr<connector::Sink> sink() {
    return connector::make_rest_proxy_sink(stack_options(stack_));
  }

  // Produces `records` and asserts every one was acknowledged.
  void produce_ok(const std::string& topic, const std::vector<OutgoingRecord>& records) {
    auto results = sink()->produce(topic, records);
    ASSERT_EQ(results.size(), records.size());
    for (const auto& r : results) ASSERT_TRUE(r.ok) << r.error;
  }

  StackEndpoints stack_;
};

TEST_F(Bridge, BinaryRoundTripKeepsKeysNullKeysAndNonJsonBytes) {
  const std::string topic = unique_name("roundtrip");
  create_topic(stack_, topic, 1);
  const std::string binary("\x00\x01\xfe\xff{not json", 13);
  std::vector<OutgoingRecord> records{
      {std::string("customer-1"), R"({"event":"entry"})", std::nullopt},
      {std::nullopt, "plain text, not JSON", std::nullopt},
      {std::string("k\x00y", 3), binary, std::nullopt},
      {std::string("customer-1"), "", std::nullopt}};
  auto results = sink()->produce(topic, records);
  ASSERT_EQ(results.size(), 4u);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok) << results[i].error;
    EXPECT_EQ(results[i].partition, 0);
    EXPECT_EQ(results[i].offset, int64_t(i));  // a fresh topic: offsets 0..3 in order
  }

  auto src = source(unique_name("group"));
  src->subscribe({topic});
  auto got = poll_until(*src, 4);
  ASSERT_EQ(got.size(), 4u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].topic, topic);
    EXPECT_EQ(got[i].offset, int64_t(i));
    EXPECT_EQ(got[i].key, records[i].key) << i;
    EXPECT_EQ(got[i].value, records[i].value) << i;
  }
  if (stack_.dialect == connector::Dialect::kStrimzi) {
    EXPECT_GT(got[0].timestamp_ms, 0);
  }
  src->commit({{{topic, 0}, 4}});
  EXPECT_EQ(src->stats().records, 4u);
  src->close();
}

TEST_F(Bridge, UncommittedRecordsAreDeliveredAgainToTheGroup) {
  const std::string topic = unique_name("atleastonce");
  const std::string group = unique_name("group");
  create_topic(stack_, topic, 1);
  produce_ok(topic, {{std::nullopt, "a", std::nullopt},
                     {std::nullopt, "b", std::nullopt},
                     {std::nullopt, "c", std::nullopt}});
  {
    auto first = source(group);
    first->subscribe({topic});
    ASSERT_EQ(poll_until(*first, 3).size(), 3u);  // processed, never committed
    first->close();
  }
  auto second = source(group);
  second->subscribe({topic});
  auto again = poll_until(*second, 3);
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[0].offset, 0);
  EXPECT_EQ(again[0].value, "a");
  second->close();
}

TEST_F(Bridge, CommitsArePerPartitionAndResumeWhereCommitted) {
  const std::string topic = unique_name("twoparts");
  const std::string group = unique_name("group");
  create_topic(stack_, topic, 2);
  std::vector<OutgoingRecord> records;
  for (int i = 0; i < 5; ++i) records.push_back({std::nullopt, "p0-" + std::to_string(i), 0});
  for (int i = 0; i < 5; ++i) records.push_back({std::nullopt, "p1-" + std::to_string(i), 1});
  produce_ok(topic, records);
  {
    auto first = source(group);
    first->subscribe({topic});
    ASSERT_EQ(poll_until(*first, 10).size(), 10u);
    // Processed p0 up to offset 1 and p1 up to offset 3: the next to consume are 2 and 4.
    first->commit({{{topic, 0}, 2}, {{topic, 1}, 4}});
    first->close();
  }
  auto second = source(group);
  second->subscribe({topic});
  auto resumed = poll_until(*second, 4);
  ASSERT_EQ(resumed.size(), 4u);
  std::map<int32_t, std::vector<int64_t>> offsets;
  for (const auto& r : resumed) offsets[r.partition].push_back(r.offset);
  EXPECT_EQ(offsets[0], (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(offsets[1], (std::vector<int64_t>{4}));
  second->close();
}

// The real bridge's subscription listing is built from the consumer's assignment: once polling
// has joined the group, assignment() names every partition this lone member holds.
TEST_F(Bridge, AssignmentListsThePartitionsTheConsumerHolds) {
  const std::string topic = unique_name("assigned");
  const std::string group = unique_name("group");
  create_topic(stack_, topic, 3);
  produce_ok(topic, {{std::nullopt, "a", 0}, {std::nullopt, "b", 2}});
  auto src = source(group);
  src->subscribe({topic});
  ASSERT_EQ(poll_until(*src, 2).size(), 2u);
  auto assigned = src->assignment();
  ASSERT_TRUE(assigned.has_value());
  std::sort(assigned->begin(), assigned->end());
  EXPECT_EQ(*assigned,
            (std::vector<connector::TopicPartition>{{topic, 0}, {topic, 1}, {topic, 2}}));
  src->close();
}

TEST_F(Bridge, InstanceDeletedBehindTheSourcesBackIsRecreated) {
  const std::string topic = unique_name("recreate");
  create_topic(stack_, topic, 1);
  produce_ok(topic,
             {{std::nullopt, "before-1", std::nullopt}, {std::nullopt, "before-2", std::nullopt}});
  const std::string group = unique_name("group");
  const std::string name = unique_name("instance");
  auto src = source(group, name);
  src->subscribe({topic});
  ASSERT_EQ(poll_until(*src, 2).size(), 2u);
  src->commit({{{topic, 0}, 2}});
  EXPECT_EQ(src->generation(), 1u);

  ASSERT_EQ(raw_delete(instance_url(group, name)), 204);
  produce_ok(topic,
             {{std::nullopt, "after-1", std::nullopt}, {std::nullopt, "after-2", std::nullopt}});

  auto after = poll_until(*src, 2);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].value, "after-1");  // resumed from the committed offset 2
  EXPECT_EQ(after[0].offset, 2);
  EXPECT_EQ(src->generation(), 2u);
  EXPECT_EQ(src->stats().instance_recreations, 1u);
  src->close();
  EXPECT_EQ(raw_delete(instance_url(group, name)), 404) << "close deleted the new instance";
}

// Per-record failures are covered with the fake proxy: on this bridge the natural trigger (a
// partition that does not exist) blocks the request for the producer's max.block.ms (60 s) before
// failing.
TEST_F(Bridge, SinkReportsPartitionAndOffsetPerRecord) {
  const std::string topic = unique_name("acks");
  create_topic(stack_, topic, 2);
  auto results = sink()->produce(
      topic, {{std::nullopt, "x", 1}, {std::nullopt, "y", 0}, {std::nullopt, "w", 1}});
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(results[0].partition, 1);
  EXPECT_EQ(results[0].offset, 0);
  EXPECT_EQ(results[1].partition, 0);
  EXPECT_EQ(results[1].offset, 0);
  EXPECT_EQ(results[2].partition, 1);
  EXPECT_EQ(results[2].offset, 1);
}

// The json embedded format end to end. The Strimzi bridge refuses a number or boolean value (and
// key) with a 400 for the whole request; the sink fails only those records, with the reason, and
// the others are written. Confluent takes every one of them.
TEST_F(Bridge, JsonSinkWritesWhatTheProxyTakesAndFailsOnlyWhatItRefuses) {
  const std::string topic = unique_name("json");
  create_topic(stack_, topic, 1);
  auto json_sink =
      connector::make_rest_proxy_sink(stack_options(stack_), connector::EmbeddedFormat::kJson);
  const std::vector<OutgoingRecord> records{{std::string(R"("c-1")"), R"({"a":1})", std::nullopt},
                                            {std::nullopt, "42", std::nullopt},
                                            {std::string("null"), R"(["x",2])", std::nullopt},
                                            {std::string("true"), R"("s")", std::nullopt}};
  auto results = json_sink->produce(topic, records);
  ASSERT_EQ(results.size(), records.size());
  const bool strimzi = stack_.dialect == connector::Dialect::kStrimzi;
  EXPECT_TRUE(results[0].ok) << results[0].error;
  EXPECT_TRUE(results[2].ok) << results[2].error;
  EXPECT_EQ(results[1].ok, !strimzi) << results[1].error;
  EXPECT_EQ(results[3].ok, !strimzi) << results[3].error;
  if (strimzi) {
    EXPECT_FALSE(results[1].retriable);
    EXPECT_NE(results[1].error.find("value is a number"), std::string::npos) << results[1].error;
    EXPECT_NE(results[3].error.find("key is a boolean"), std::string::npos) << results[3].error;
  }

  connector::ConsumerOptions c;
  c.group = unique_name("group");
  c.auto_offset_reset = "earliest";
  c.format = connector::EmbeddedFormat::kJson;
  auto src = connector::make_rest_proxy_source(stack_options(stack_), c);
  src->subscribe({topic});
  const size_t written = strimzi ? 2 : 4;
  auto got = poll_until(*src, written);
  ASSERT_EQ(got.size(), written);
  EXPECT_EQ(got[0].key, std::optional<std::string>(R"("c-1")"));
  EXPECT_EQ(got[0].value, R"({"a":1})");
  const auto& list = got[strimzi ? 1 : 2];
  EXPECT_EQ(list.key, std::nullopt);  // a JSON null key is no key
  EXPECT_EQ(list.value, R"(["x",2])");
  src->close();
}

TEST_F(Bridge, PollBeforeSubscribeIsRefusedAndCloseDeletesTheInstance) {
  const std::string group = unique_name("group");
  const std::string name = unique_name("instance");
  auto src = source(group, name);
  EXPECT_THROW(src->poll(10ms), connector::PermanentError);
  src->subscribe({unique_name("empty")});
  EXPECT_TRUE(src->poll(200ms).empty());
  src->close();
  EXPECT_EQ(raw_delete(instance_url(group, name)), 404);  // close really deleted the instance
}

}  // namespace
}  // namespace streamhost::testing
