// The pipeline's failure policies: REJECT to the dead-letter topic, RETRY with backoff and a paused
// partition, produce failures (retriable, permanent), poll errors and commit failures.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <regex>
#include <set>

#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

using namespace std::chrono_literals;

TopicPartition tp(const std::string& topic, int32_t partition) {
  return {topic, partition};
}

int64_t max_committed(const FakeSource& source, const TopicPartition& partition) {
  int64_t max = -1;
  for (const auto& c : source.commit_history()) {
    if (c.partition == partition) max = std::max(max, c.next_offset);
  }
  return max;
}

TEST(RuntimeFailures, RejectSendsTheDeadLetterEnvelopeKeyedByTheOriginalKey) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    if (in.value() != "good") {
      out.emit("discarded");  // outputs of a rejected record are never produced
      return sp::Outcome::reject("unknown customer 7");
    }
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  h.source.append({make_record("in", 0, 0, "cust-7", "bad"),
                   make_record("in", 0, 1, std::nullopt, std::string("\xff\xfe", 2)),
                   make_record("in", 0, 2, "cust-8", "good")});
  h.start({plugin.route("entry", "in", "out")}, h.options(1));
  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in", 0)) == 3; }));
  EXPECT_EQ(h.stop().exit_code, 0);

  auto dlq = h.sink.produced_to("dlq");
  ASSERT_EQ(dlq.size(), 2u);
  EXPECT_EQ(dlq[0].key, std::optional<std::string>("cust-7"));
  EXPECT_FALSE(dlq[1].key.has_value());
  EXPECT_EQ(h.sink.produced_to("out").size(), 1u);

  rapidjson::Document env;
  env.Parse(dlq[0].value.c_str());
  ASSERT_FALSE(env.HasParseError()) << dlq[0].value;
  EXPECT_STREQ(env["key"].GetString(), "cust-7");
  EXPECT_STREQ(env["key_encoding"].GetString(), "utf8");
  EXPECT_STREQ(env["value"].GetString(), "bad");
  EXPECT_STREQ(env["value_encoding"].GetString(), "utf8");
  EXPECT_STREQ(env["topic"].GetString(), "in");
  EXPECT_EQ(env["partition"].GetInt(), 0);
  EXPECT_EQ(env["offset"].GetInt64(), 0);
  EXPECT_EQ(env["timestamp"].GetInt64(), 1700000000000);
  EXPECT_STREQ(env["route"].GetString(), "entry");
  EXPECT_STREQ(env["handler"].GetString(), "handle");
  EXPECT_STREQ(env["plugin"].GetString(), "testplugin");
  EXPECT_STREQ(env["plugin_version"].GetString(), "9.8.7");
  EXPECT_STREQ(env["status"].GetString(), "reject");
  EXPECT_STREQ(env["reason"].GetString(), "unknown customer 7");
  EXPECT_TRUE(std::regex_match(env["time"].GetString(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << env["time"].GetString();
  EXPECT_EQ(env.MemberCount(), 15u) << dlq[0].value;

  rapidjson::Document binary;
  binary.Parse(dlq[1].value.c_str());
  ASSERT_FALSE(binary.HasParseError());
  EXPECT_TRUE(binary["key"].IsNull());
  EXPECT_STREQ(binary["value"].GetString(), "//4=");
  EXPECT_STREQ(binary["value_encoding"].GetString(), "base64");
  EXPECT_EQ(h.registry.counter_value("streamhost_records_rejected_total", {{"route", "entry"}}),
            2u);
  EXPECT_EQ(h.registry.counter_value("streamhost_dead_letters_total", {{"route", "entry"}}), 2u);
}

TEST(RuntimeFailures, ARecordStillFailingAfterMaxAttemptsIsDeadLetteredAndThePartitionMovesOn) {
  std::atomic<int> attempts{0};
  TestPluginInstance plugin([&](const sp::Record& in, sp::Emitter& out) {
    if (in.offset() == 1) {
      ++attempts;
      return sp::Outcome::retry("scorer unavailable");
    }
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  h.source.append({make_record("in", 0, 0, "a", "v0"), make_record("in", 0, 1, "b", "v1"),
                   make_record("in", 0, 2, "c", "v2")});
  auto options = h.options(1);
  options.retry.max_attempts = 10;  // the pipeline's default...
  auto route = plugin.route("r", "in", "out");
  route.max_attempts = 3;  // ...which the route overrides
  h.start({route}, options);
  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in", 0)) == 3; }));
  EXPECT_EQ(h.stop().exit_code, 0);

  EXPECT_EQ(attempts.load(), 3);
  auto dlq = h.sink.produced_to("dlq");
  ASSERT_EQ(dlq.size(), 1u);
  rapidjson::Document env;
  env.Parse(dlq[0].value.c_str());
  ASSERT_FALSE(env.HasParseError());
  EXPECT_STREQ(env["status"].GetString(), "retry");
  EXPECT_EQ(env["offset"].GetInt64(), 1);
  const std::string reason = env["reason"].GetString();
  EXPECT_NE(reason.find("gave up after 3 attempts"), std::string::npos) << reason;
  EXPECT_NE(reason.find("scorer unavailable"), std::string::npos) << reason;
  EXPECT_EQ(h.sink.produced_to("out").size(), 2u) << "the records around it are handled";
  EXPECT_EQ(h.registry.counter_value("streamhost_retries_exhausted_total", {{"route", "r"}}), 1u);
  EXPECT_EQ(h.registry.counter_value("streamhost_records_retried_total", {{"route", "r"}}), 3u);
}

TEST(RuntimeFailures, RetryBacksOffPausesThePartitionAndRecovers) {
  std::atomic<bool> dependency_up{false};
  std::atomic<int> attempts{0};
  std::mutex mutex;
  std::vector<int64_t> partition0_order;
  std::multiset<std::pair<int32_t, int64_t>> handled;
  PipelineHarness h;
  // When each attempt of the failing record starts, on the pipeline's clock: the jumping clock
  // moves only to the deadlines someone waits for, so the gaps are the worker's backoff.
  std::vector<runtime::Clock::time_point> attempt_times;
  TestPluginInstance plugin([&](const sp::Record& in, sp::Emitter& out) {
    if (in.partition() == 0 && in.offset() == 1) {
      {
        std::lock_guard lock(mutex);
        attempt_times.push_back(h.clock.now());
      }
      ++attempts;
      if (!dependency_up.load()) {
        out.emit("from a failed attempt");  // discarded: a RETRY's outputs are never produced
        return sp::Outcome::retry("scorer unavailable");
      }
    }
    {
      std::lock_guard lock(mutex);
      handled.insert({in.partition(), in.offset()});
      if (in.partition() == 0) partition0_order.push_back(in.offset());
    }
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  auto options = h.options(1);  // one worker: the retry must not block the other partition
  std::vector<ConsumedRecord> records{make_record("in", 0, 0, "a0", "v"),
                                      make_record("in", 0, 1, "a1", "v")};
  for (int i = 0; i < 4; ++i) {
    records.push_back(make_record("in", 1, i, "b" + std::to_string(i), "v"));
  }
  h.source.append(records);
  h.start({plugin.route("r", "in", "out")}, options);

  // Partition 1 keeps flowing while partition 0 waits at offset 1.
  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in", 1)) == 4; }));
  ASSERT_TRUE(eventually([&] { return attempts.load() >= 4; }));
  // Records arriving for the paused partition are not dispatched now...
  std::vector<ConsumedRecord> later;
  for (int i = 2; i < 6; ++i)
    later.push_back(make_record("in", 0, i, "a" + std::to_string(i), "v"));
  h.source.append(later);
  ASSERT_TRUE(eventually(
      [&] { return h.registry.counter_value("streamhost_paused_records_dropped_total") == 4; }));
  ASSERT_TRUE(eventually([&] { return attempts.load() >= 8; }));
  EXPECT_LE(max_committed(h.source, tp("in", 0)), 1) << "committed past a record in RETRY";
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(partition0_order, std::vector<int64_t>{0});
  }

  dependency_up.store(true);
  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in", 0)) == 6; }));
  EXPECT_EQ(h.stop().exit_code, 0);

  // ...they are read again from the first one dropped, in order, none twice, none missing.
  auto seeks = h.source.seeks();
  ASSERT_EQ(seeks.size(), 1u);
  EXPECT_EQ(seeks[0].partition, tp("in", 0));
  EXPECT_EQ(seeks[0].next_offset, 2);
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(partition0_order, (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  }
  for (const auto& p : h.sink.produced()) EXPECT_NE(p.value, "from a failed attempt");
  // Between attempts the worker waited exactly the configured backoff: 10, 20, then 40 ms, the
  // cap (jitter 0). Only the worker waits on this clock here, so each gap is its wait alone.
  std::lock_guard lock(mutex);
  ASSERT_GE(attempt_times.size(), 5u);
  const std::vector<std::chrono::milliseconds> expected{10ms, 20ms, 40ms, 40ms};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(attempt_times[i + 1] - attempt_times[i], expected[i]) << "before attempt " << i + 2;
  }
  EXPECT_GE(h.registry.counter_value("streamhost_records_retried_total", {{"route", "r"}}), 8u);
}

TEST(RuntimeFailures, RecordsQueuedBehindARetryKeepTheirOrder) {
  // Offset 1 shares a batch with offset 0, so it is either parked behind the retry on the same
  // worker or dropped and read again; either way it runs after offset 0, exactly once.
  std::atomic<int> attempts{0};
  std::mutex mutex;
  std::vector<int64_t> order;
  TestPluginInstance plugin([&](const sp::Record& in, sp::Emitter&) {
    if (in.offset() == 0 && ++attempts < 5) return sp::Outcome::retry("not yet");
    std::lock_guard lock(mutex);
    order.push_back(in.offset());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  h.source.append({make_record("in", 0, 0, "k", "v"), make_record("in", 0, 1, "k", "v"),
                   make_record("in", 0, 2, "other", "v")});
  h.start({plugin.route("r", "in", "out")}, h.options(1));
  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in", 0)) == 3; }));
  EXPECT_EQ(h.stop().exit_code, 0);
  std::lock_guard lock(mutex);
  EXPECT_EQ(order, (std::vector<int64_t>{0, 1, 2}));
}

TEST(RuntimeFailures, RetriableProduceFailuresAreRetriedUntilAcknowledged) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  std::atomic<int> failures_left{3};
  h.sink.set_decide(
      [&](const std::string&,
          const connector::OutgoingRecord& r) -> std::optional<connector::DeliveryResult> {
        if (r.value == "flaky" && failures_left.fetch_sub(1) > 0) {
          return connector::DeliveryResult{false, true, -1, -1, "leader not available"};
        }
        return std::nullopt;
      });
  h.source.append({make_record("in", 0, 0, "k", "flaky"), make_record("in", 0, 1, "k", "fine")});
  h.start({plugin.route("r", "in", "out")}, h.options());
  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in", 0)) == 2; }));
  EXPECT_EQ(h.stop().exit_code, 0);
  auto out = h.sink.produced_to("out");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(h.registry.counter_value("streamhost_produce_retries_total"), 3u);
}

TEST(RuntimeFailures, PermanentProduceFailureStopsWithTheProxysMessage) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  h.sink.set_decide(
      [](const std::string&,
         const connector::OutgoingRecord& r) -> std::optional<connector::DeliveryResult> {
        if (r.value == "too-big") {
          return connector::DeliveryResult{false, false, -1, -1, "RecordTooLargeException: 2 MB"};
        }
        return std::nullopt;
      });
  h.source.append({make_record("in", 0, 0, "k", "ok"), make_record("in", 0, 1, "k", "too-big"),
                   make_record("in", 0, 2, "k", "ok")});
  h.start({plugin.route("r", "in", "out")}, h.options(1));
  auto result = h.join();
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.message.find("RecordTooLargeException: 2 MB"), std::string::npos)
      << result.message;
  EXPECT_LE(max_committed(h.source, tp("in", 0)), 1);
  EXPECT_TRUE(h.source.closed());
}

TEST(RuntimeFailures, TransientPollErrorsBackOffAndContinue) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  h.source.fail_next_poll([] { throw connector::TransientError("proxy unreachable"); });
  h.source.fail_next_poll([] { throw connector::TransientError("proxy unreachable"); });
  h.source.append({make_record("in", 0, 0, "k", "v")});
  h.start({plugin.route("r", "in", "out")}, h.options());
  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in", 0)) == 1; }));
  EXPECT_EQ(h.registry.counter_value("streamhost_poll_errors_total"), 2u);
  EXPECT_TRUE(h.pipeline->health().source_ok);
  EXPECT_EQ(h.stop().exit_code, 0);
}

TEST(RuntimeFailures, PermanentPollErrorStopsWithItsMessage) {
  TestPluginInstance plugin([](const sp::Record&, sp::Emitter&) { return sp::Outcome::ok(); });
  PipelineHarness h;
  h.source.fail_next_poll([] { throw connector::PermanentError("401 Unauthorized: bad login"); });
  h.start({plugin.route("r", "in", "out")}, h.options());
  auto result = h.join();
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.message.find("401 Unauthorized: bad login"), std::string::npos);
}

TEST(RuntimeFailures, CommitFailuresAreRetriedLater) {
  TestPluginInstance plugin([](const sp::Record&, sp::Emitter&) { return sp::Outcome::ok(); });
  PipelineHarness h;
  h.source.fail_commits(true);
  h.source.append({make_record("in", 0, 0, "k", "v"), make_record("in", 0, 1, "k", "v")});
  h.start({plugin.route("r", "in", "out")}, h.options());
  ASSERT_TRUE(eventually(
      [&] { return h.registry.counter_value("streamhost_commit_failures_total") >= 2; }));
  EXPECT_FALSE(h.finished.load());
  h.source.fail_commits(false);
  ASSERT_TRUE(eventually([&] { return h.source.committed(tp("in", 0)) == 2; }));
  EXPECT_EQ(h.stop().exit_code, 0);
}

// On stop, the final commit is what a restart starts from: refused at first, it is tried again
// with the poll backoff until it goes through (within shutdown_timeout).
TEST(RuntimeFailures, TheFinalCommitOnStopIsRetriedUntilItGoesThrough) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  auto options = h.options();
  options.commit_interval = std::chrono::hours(1);  // no commit before the final one
  options.poll_retry = RetrySpec{5ms, 20ms, 2.0, 0.0};
  h.source.append({make_record("in", 0, 0, "k", "v"), make_record("in", 0, 1, "k", "v")});
  h.start({plugin.route("r", "in", "out")}, options);
  ASSERT_TRUE(eventually([&] { return h.sink.produced_to("out").size() == 2; }));
  EXPECT_FALSE(h.source.committed(tp("in", 0)).has_value());

  h.source.fail_commits(true);
  // Lets commits through once the stopping pipeline was refused three times.
  std::thread proxy_recovers([&] {
    eventually([&] { return h.registry.counter_value("streamhost_commit_failures_total") >= 3; });
    h.source.fail_commits(false);
  });
  EXPECT_EQ(h.stop().exit_code, 0);
  proxy_recovers.join();
  EXPECT_GE(h.registry.counter_value("streamhost_commit_failures_total"), 3u);
  EXPECT_EQ(h.source.committed(tp("in", 0)), 2) << "the stop ended without its final commit";
}

TEST(RuntimeFailures, AFinalCommitThatNeverGoesThroughEndsWithTheShutdownTimeout) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  auto options = h.options();
  options.commit_interval = std::chrono::hours(1);
  options.poll_retry = RetrySpec{5ms, 20ms, 2.0, 0.0};
  options.shutdown_timeout = 300ms;
  h.source.append({make_record("in", 0, 0, "k", "v")});
  h.start({plugin.route("r", "in", "out")}, options);
  ASSERT_TRUE(eventually([&] { return h.sink.produced_to("out").size() == 1; }));
  h.source.fail_commits(true);
  EXPECT_EQ(h.stop().exit_code, 0) << "the stop ends; a restart re-reads the uncommitted record";
  EXPECT_GE(h.registry.counter_value("streamhost_commit_failures_total"), 2u) << "retried";
  EXPECT_FALSE(h.source.committed(tp("in", 0)).has_value());
}

TEST(RuntimeFailures, RejectWithoutDeadLetterTopicIsFatalNotASilentDrop) {
  TestPluginInstance plugin(
      [](const sp::Record&, sp::Emitter&) { return sp::Outcome::reject("malformed"); });
  PipelineHarness h;
  auto options = h.options();
  options.dead_letter_topic.clear();
  h.source.append({make_record("in", 0, 0, "k", "v")});
  h.start({plugin.route("r", "in", "out")}, options);
  auto result = h.join();
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.message.find("malformed"), std::string::npos);
  EXPECT_LE(h.source.committed(tp("in", 0)).value_or(0), 0);
}

}  // namespace
}  // namespace streamhost::host::testing
