// The runtime's small pieces on their own: the watermark, backoff, handler calls, the envelope's
// encodings and the plugin host services.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "runtime/backoff.hpp"
#include "runtime/dead_letter.hpp"
#include "runtime/handler_call.hpp"
#include "runtime/offset_tracker.hpp"
#include "runtime/plugin_host_services.hpp"
#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

using namespace std::chrono_literals;
using runtime::PartitionTracker;

TEST(RuntimeWatermark, CommitsUpToTheFirstUnfinishedRecord) {
  PartitionTracker t;
  EXPECT_FALSE(t.committable().has_value());
  for (int64_t o = 10; o < 15; ++o) ASSERT_TRUE(t.add(o));
  EXPECT_EQ(t.committable(), 10);
  t.mark_done(12);
  t.mark_done(13);
  EXPECT_EQ(t.committable(), 10) << "later records finishing first must not move the watermark";
  t.mark_done(10);
  EXPECT_EQ(t.committable(), 11);
  t.mark_done(11);
  EXPECT_EQ(t.committable(), 14);
  t.mark_done(14);
  EXPECT_EQ(t.committable(), 15);
  EXPECT_EQ(t.pending(), 0u);
}

TEST(RuntimeWatermark, HandlesOffsetGapsAndRefusesRecordsAlreadyTracked) {
  PartitionTracker t;
  ASSERT_TRUE(t.add(5));
  ASSERT_TRUE(t.add(8));  // 6 and 7 are transaction markers or compacted away
  EXPECT_FALSE(t.add(8));
  EXPECT_FALSE(t.add(3));
  t.mark_done(5);
  EXPECT_EQ(t.committable(), 8);
  t.mark_done(8);
  EXPECT_EQ(t.committable(), 9);
  t.mark_done(42);  // unknown: ignored
  EXPECT_EQ(t.committable(), 9);
}

TEST(RuntimeBackoff, GrowsByTheMultiplierUpToTheCap) {
  runtime::Backoff b(RetrySpec{200ms, 1000ms, 2.0, /*jitter=*/0.0});
  EXPECT_EQ(b.next(), 200ms);
  EXPECT_EQ(b.next(), 400ms);
  EXPECT_EQ(b.next(), 800ms);
  EXPECT_EQ(b.next(), 1000ms);
  EXPECT_EQ(b.next(), 1000ms);
  b.reset();
  EXPECT_EQ(b.next(), 200ms);
}

TEST(RuntimeDeadLetter, DetectsUtf8AndEncodesBase64) {
  EXPECT_TRUE(runtime::is_valid_utf8("plain ascii"));
  EXPECT_TRUE(runtime::is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(runtime::is_valid_utf8("\xff"));
  EXPECT_FALSE(runtime::is_valid_utf8("\xc3"));          // truncated
  EXPECT_FALSE(runtime::is_valid_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(runtime::is_valid_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_EQ(runtime::base64_encode(""), "");
  EXPECT_EQ(runtime::base64_encode("f"), "Zg==");
  EXPECT_EQ(runtime::base64_encode("fo"), "Zm8=");
  EXPECT_EQ(runtime::base64_encode("foo"), "Zm9v");
  EXPECT_EQ(runtime::base64_encode("foobar"), "Zm9vYmFy");
}

// An envelope the dead-letter topic would refuse is cut to fit, saying so, and stays valid JSON.
TEST(RuntimeDeadLetter, TruncatesAnOversizedEnvelopeToFitAndSaysSo) {
  TestPluginInstance plugin([](const sp::Record&, sp::Emitter&) { return sp::Outcome::ok(); });
  const runtime::Route route = plugin.route("focus", "in", "out");
  // 2-byte UTF-8 characters, so a cut in the middle of one must step back to its start.
  std::string value;
  for (int i = 0; i < 20000; ++i) value += "\xc3\xa9";
  ConsumedRecord record = make_record("in", 0, 7, "k", value);

  const std::string whole = runtime::dead_letter_envelope(route, record, SH_STATUS_REJECT, "why",
                                                          "2026-01-01T00:00:00.000Z");
  EXPECT_GT(whole.size(), 40000u);
  EXPECT_EQ(whole.find("value_truncated"), std::string::npos);

  const std::string cut = runtime::dead_letter_envelope(route, record, SH_STATUS_REJECT, "why",
                                                        "2026-01-01T00:00:00.000Z", 5000);
  EXPECT_LE(cut.size(), 5000u);
  EXPECT_GT(cut.size(), 4000u) << "the cut should keep as much as fits";
  rapidjson::Document doc;
  doc.Parse(cut.c_str());
  ASSERT_FALSE(doc.HasParseError()) << cut.substr(0, 200);
  EXPECT_TRUE(doc["value_truncated"].GetBool());
  EXPECT_EQ(doc["value_bytes"].GetUint64(), value.size());
  const std::string kept = doc["value"].GetString();
  EXPECT_EQ(value.compare(0, kept.size(), kept), 0) << "the envelope holds a prefix of the value";
  EXPECT_EQ(kept.size() % 2, 0u) << "no UTF-8 character is split";
  EXPECT_STREQ(doc["reason"].GetString(), "why");
  EXPECT_FALSE(doc.HasMember("key_truncated"));

  // Binary bytes are cut before base64, and a huge key is cut once the value is empty.
  ConsumedRecord binary =
      make_record("in", 0, 8, std::string(9000, 'k'), std::string(3000, '\xff'));
  const std::string both = runtime::dead_letter_envelope(route, binary, SH_STATUS_RETRY, "gave up",
                                                         "2026-01-01T00:00:00.000Z", 2000);
  EXPECT_LE(both.size(), 2000u);
  rapidjson::Document b;
  b.Parse(both.c_str());
  ASSERT_FALSE(b.HasParseError());
  EXPECT_STREQ(b["value_encoding"].GetString(), "base64");
  EXPECT_TRUE(b["value_truncated"].GetBool());
  EXPECT_TRUE(b["key_truncated"].GetBool());
  EXPECT_EQ(b["key_bytes"].GetUint64(), 9000u);
  EXPECT_STREQ(b["status"].GetString(), "retry");
}

TEST(RuntimeHandlerCall, PassesTheRecordAndCopiesEmittedBytes) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    std::string value = std::string(in.topic()) + "|" + std::to_string(in.partition()) + "|" +
                        std::to_string(in.offset()) + "|" + std::string(in.value()) + "|" +
                        std::to_string(in.header_count()) + "|" + std::string(in.header(0).second);
    out.emit(value, in.key());  // `value` dies right after: the host must have copied it
    out.emit("", std::string_view(""), "elsewhere");
    return sp::Outcome::ok();
  });
  auto route = plugin.route("r", "in", "out");
  auto record = make_record("in", 3, 42, "k", "payload");
  record.headers.push_back({"trace", "abc"});
  auto result = runtime::call_handler(route, record);
  ASSERT_EQ(result.status, SH_STATUS_OK);
  ASSERT_EQ(result.outputs.size(), 2u);
  EXPECT_EQ(result.outputs[0].topic, "out");
  EXPECT_EQ(result.outputs[0].key, std::optional<std::string>("k"));
  EXPECT_EQ(result.outputs[0].value, "in|3|42|payload|1|abc");
  EXPECT_EQ(result.outputs[1].topic, "elsewhere");
  EXPECT_EQ(result.outputs[1].key, std::optional<std::string>(""));  // empty, not null
}

TEST(RuntimeHandlerCall, RefusesAnEmitWithNowhereToGo) {
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    out.emit(in.value());  // the route has no output topic: the helper turns the refusal into FATAL
    return sp::Outcome::ok();
  });
  auto result = runtime::call_handler(plugin.route("r", "in", std::nullopt),
                                      make_record("in", 0, 0, "k", "v"));
  EXPECT_EQ(result.status, SH_STATUS_FATAL);
  EXPECT_NE(result.reason.find("refused"), std::string::npos);
  EXPECT_TRUE(result.outputs.empty());
}

TEST(RuntimePipelineOptions, EveryManifestSettingReachesThePipeline) {
  Manifest m;
  m.workers = 7;
  m.retry = RetrySpec{11ms, 12ms, 1.5, 0.25, 3};
  m.poll_retry = RetrySpec{21ms, 22ms, 2.0, 0.75};
  m.dead_letter_topic = "dlq";
  m.dead_letter_max_bytes = 1234;
  m.poll_timeout = 31ms;
  m.commit_interval = 32ms;
  m.shutdown_timeout = 33ms;
  m.max_produce_batch = 44;
  m.max_in_flight_records = 55;
  m.max_in_flight_bytes = 66;
  m.keepalive_interval = 77ms;
  m.seek_fence_timeout = 88ms;
  m.stall_after = 99ms;
  const runtime::PipelineOptions o = runtime::pipeline_options(m);
  EXPECT_EQ(o.workers, 7u);
  EXPECT_EQ(o.retry.initial_backoff, 11ms);
  EXPECT_EQ(o.retry.max_attempts, 3);
  EXPECT_EQ(o.produce_retry.max_backoff, 12ms) << "produce retries use the host's one backoff";
  EXPECT_EQ(o.poll_retry.initial_backoff, 21ms);
  EXPECT_EQ(o.poll_retry.max_backoff, 22ms);
  EXPECT_DOUBLE_EQ(o.poll_retry.jitter, 0.75);
  EXPECT_EQ(o.dead_letter_topic, "dlq");
  EXPECT_EQ(o.dead_letter_max_bytes, 1234u);
  EXPECT_EQ(o.poll_timeout, 31ms);
  EXPECT_EQ(o.commit_interval, 32ms);
  EXPECT_EQ(o.shutdown_timeout, 33ms);
  EXPECT_EQ(o.max_produce_batch, 44u);
  EXPECT_EQ(o.max_in_flight_records, 55u);
  EXPECT_EQ(o.max_in_flight_bytes, 66u);
  EXPECT_EQ(o.keepalive_poll_interval, 77ms);
  EXPECT_EQ(o.seek_fence_timeout, 88ms);
  EXPECT_EQ(o.stall_after, 99ms);
}

TEST(RuntimeHostServices, ExposesPluginMetricsAndLogsLabelledByPlugin) {
  metrics::Registry registry;
  runtime::PluginHostServices services(registry);
  const sh_host_api* api = services.api_for("coupon");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api, services.api_for("coupon"));
  api->observe_seconds(api->host_ctx, "coupon_scorer_call", 0.003);
  api->count(api->host_ctx, "cache_hits", 2);
  api->count(api->host_ctx, "cache_hits", 3);
  api->log(api->host_ctx, SH_LOG_INFO, "hello from the plugin");
  auto text = registry.render();
  EXPECT_NE(text.find("streamhost_plugin_coupon_scorer_call_seconds_count{plugin=\"coupon\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("streamhost_plugin_cache_hits_total{plugin=\"coupon\"} 5"), std::string::npos)
      << text;
}

TEST(RuntimeBackoff, JitterRandomisesOnlyItsFractionOfEachDelay) {
  double u = 0.0;
  runtime::Backoff b(RetrySpec{200ms, 1000ms, 2.0, /*jitter=*/0.5}, [&u] { return u; });
  EXPECT_EQ(b.next(), 100ms);  // the fixed half of 200 ms
  u = 1.0;
  EXPECT_EQ(b.next(), 400ms);  // all of 400 ms
  u = 0.5;
  EXPECT_EQ(b.next(), 600ms);  // 400 fixed + half of the random 400
}

TEST(RuntimeBackoff, DefaultJitterStaysWithinHalfAndAllOfTheDelay) {
  for (int i = 0; i < 200; ++i) {
    runtime::Backoff b(RetrySpec{200ms, 30000ms, 2.0});
    const auto first = b.next();
    EXPECT_GE(first, 100ms);
    EXPECT_LE(first, 200ms);
  }
}

}  // namespace
}  // namespace streamhost::host::testing
