// Sink behaviour the real bridge cannot show on demand: per-record failures inside HTTP 200,
// 429 with Retry-After, malformed replies, request splitting. See fake_proxy.hpp.
#include <gtest/gtest.h>

#include <atomic>
#include <streamhost/connector/rest_proxy.hpp>

#include "fake_proxy.hpp"
#include "test_support.hpp"

namespace streamhost::testing {
namespace {

using namespace std::chrono_literals;
using connector::Dialect;
using connector::OutgoingRecord;

class FakeProxySink : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { connector::init_http_threads(4); }
};

// {"offsets":[...]} acknowledging `n` records on partition 0 from offset `first`.
std::string all_ok(size_t n, int64_t first) {
  std::string body = R"({"offsets":[)";
  for (size_t i = 0; i < n; ++i) {
    if (i) body += ",";
    body += R"({"partition":0,"offset":)" + std::to_string(first + int64_t(i)) +
            R"(,"error_code":null,"error":null})";
  }
  return body + R"(],"key_schema_id":null,"value_schema_id":null})";
}

size_t records_in(const std::string& body) {
  auto doc = parse_json(body);
  return doc.IsObject() && doc.HasMember("records") ? doc["records"].Size() : 0;
}

TEST_F(FakeProxySink, ProduceUsesExactContentTypeAndBase64Records) {
  FakeProxy proxy([](const RecordedRequest& r) {
    return FakeReply{200, all_ok(records_in(r.body), 7)};
  });
  auto sink = connector::make_rest_proxy_sink(quick_options(proxy.url(), Dialect::kConfluent));
  auto results = sink->produce("out topic", {{std::string("k"), "v", std::nullopt},
                                             {std::nullopt, std::string("\x00\x01", 2), 3}});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].ok);
  EXPECT_EQ(results[0].offset, 7);
  EXPECT_EQ(results[1].offset, 8);
  auto requests = proxy.requests_to("POST", "/topics/out topic");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("content-type"), "application/vnd.kafka.binary.v2+json");
  EXPECT_EQ(requests[0].header("accept"), "application/vnd.kafka.v2+json");
  EXPECT_EQ(requests[0].body,
            R"({"records":[{"key":"aw==","value":"dg=="},{"value":"AAE=","partition":3}]})");
  EXPECT_EQ(sink->stats().records, 2u);
}

TEST_F(FakeProxySink, PartialFailureInsideHttp200FailsOnlyThatRecordRetriably) {
  // A partial produce failure: a real proxy cannot be made to answer one on demand.
  FakeProxy proxy([&](const RecordedRequest&) {
    return FakeReply{
        200,
        R"({"offsets":[{"partition":0,"offset":10,"error_code":null,"error":null},)"
        R"({"partition":null,"offset":null,"error_code":50003,"error":"Leader not available"},)"
        R"({"partition":null,"offset":null,"error_code":40301,"error":"Not authorized to access topics: [out]"}]})"};
  });
  auto sink = connector::make_rest_proxy_sink(quick_options(proxy.url(), Dialect::kConfluent));
  auto results = sink->produce("out", {{std::nullopt, "a", std::nullopt},
                                       {std::nullopt, "b", std::nullopt},
                                       {std::nullopt, "c", std::nullopt}});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok);
  EXPECT_EQ(results[0].offset, 10);
  EXPECT_FALSE(results[1].ok);
  EXPECT_TRUE(results[1].retriable) << "a transient per-record error is the host's to retry";
  EXPECT_EQ(results[1].error, "Leader not available");
  EXPECT_FALSE(results[2].ok);
  EXPECT_FALSE(results[2].retriable);
  EXPECT_EQ(results[2].error, "Not authorized to access topics: [out]");

  // The sink sent the request once: producing "b" again is the runtime's policy, not the sink's.
  EXPECT_EQ(proxy.requests_to("POST", "/topics/out").size(), 1u);
  EXPECT_EQ(sink->stats().records, 1u);
  EXPECT_EQ(sink->stats().retries, 0u);
}

TEST_F(FakeProxySink, StrimziPerRecordMessageFieldIsRead) {
  FakeProxy proxy([](const RecordedRequest&) {
    return FakeReply{
        200,
        R"({"offsets":[{"error_code":404,"message":"Topic out not present in metadata after 60000 ms."}]})"};
  });
  auto sink = connector::make_rest_proxy_sink(quick_options(proxy.url(), Dialect::kStrimzi));
  auto results = sink->produce("out", {{std::nullopt, "a", std::nullopt}});
  EXPECT_FALSE(results[0].ok);
  EXPECT_FALSE(results[0].retriable);
  EXPECT_EQ(results[0].error, "Topic out not present in metadata after 60000 ms.");
}

TEST_F(FakeProxySink, TooManyRequestsHonoursRetryAfterThenSucceeds) {
  std::atomic<int> calls{0};
  FakeProxy proxy([&](const RecordedRequest& r) {
    if (calls.fetch_add(1) == 0) {
      return FakeReply{429,
                       R"({"error_code":429,"message":"slow down"})",
                       "application/vnd.kafka.v2+json",
                       {{"Retry-After", "1"}}};
    }
    return FakeReply{200, all_ok(records_in(r.body), 0)};
  });
  auto sink = connector::make_rest_proxy_sink(quick_options(proxy.url(), Dialect::kConfluent));
  const auto start = std::chrono::steady_clock::now();
  auto results = sink->produce("out", {{std::nullopt, "a", std::nullopt}});
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(results[0].ok) << results[0].error;
  // Retry-After: 1 was honoured over the 5 ms backoff (a lower bound, not a speed assertion).
  EXPECT_GE(waited, 1s);
  EXPECT_EQ(sink->stats().retries, 1u);
  EXPECT_EQ(sink->stats().transient_errors, 1u);
}

TEST_F(FakeProxySink, PersistentServiceUnavailableComesBackRetriable) {
  FakeProxy proxy([](const RecordedRequest&) {
    return FakeReply{503, R"({"error_code":503,"message":"Bridge is overloaded"})"};
  });
  auto options = quick_options(proxy.url(), Dialect::kStrimzi);
  options.max_retries = 2;
  auto sink = connector::make_rest_proxy_sink(options);
  auto results = sink->produce("out", {{std::nullopt, "a", std::nullopt}});
  EXPECT_FALSE(results[0].ok);
  EXPECT_TRUE(results[0].retriable);
  EXPECT_NE(results[0].error.find("Bridge is overloaded"), std::string::npos) << results[0].error;
  EXPECT_EQ(proxy.requests().size(), 3u);
  EXPECT_FALSE(sink->stats().reachable);
}

TEST_F(FakeProxySink, SlowRepliesEndRetriableAfterRetries) {
  FakeProxy proxy([](const RecordedRequest& r) {
    return FakeReply{
        200, all_ok(records_in(r.body), 0), "application/vnd.kafka.v2+json", {}, 1500ms};
  });
  auto options = quick_options(proxy.url(), Dialect::kConfluent);
  options.request_timeout = 300ms;
  options.max_retries = 1;
  auto sink = connector::make_rest_proxy_sink(options);
  auto results = sink->produce("out", {{std::nullopt, "a", std::nullopt}});
  EXPECT_FALSE(results[0].ok);
  EXPECT_TRUE(results[0].retriable);
  EXPECT_EQ(proxy.requests().size(), 2u);
}

TEST_F(FakeProxySink, MalformedReplyComesBackRetriableAndReportedClearly) {
  // A truncated reply to a produce: the real bridge cannot be made to send one.
  std::atomic<int> calls{0};
  FakeProxy proxy([&](const RecordedRequest& r) {
    if (calls.fetch_add(1) == 0) return FakeReply{200, R"({"offsets":[{"partition":0,"off)"};
    return FakeReply{200, all_ok(records_in(r.body), 0)};
  });
  auto sink = connector::make_rest_proxy_sink(quick_options(proxy.url(), Dialect::kConfluent));
  auto failed = sink->produce("out", {{std::nullopt, "a", std::nullopt}});
  EXPECT_FALSE(failed[0].ok);
  // The records may or may not be written: the host produces them again (a duplicate at worst).
  EXPECT_TRUE(failed[0].retriable);
  EXPECT_NE(failed[0].error.find("malformed reply"), std::string::npos) << failed[0].error;
  EXPECT_EQ(calls.load(), 1) << "the sink leaves producing again to the host";

  auto again = sink->produce("out", {{std::nullopt, "a", std::nullopt}});
  EXPECT_TRUE(again[0].ok) << again[0].error;
}

TEST_F(FakeProxySink, WholeRequest4xxIsPermanentForEveryRecord) {
  FakeProxy proxy([](const RecordedRequest&) {
    return FakeReply{
        422,
        R"({"error_code":42201,"message":"Request includes keys and uses a format that requires schemas."})"};
  });
  auto sink = connector::make_rest_proxy_sink(quick_options(proxy.url(), Dialect::kConfluent));
  auto results = sink->produce("out", {{std::nullopt, "a", std::nullopt}, {std::nullopt, "b", 1}});
  for (const auto& r : results) {
    EXPECT_FALSE(r.ok);
    EXPECT_FALSE(r.retriable);
    EXPECT_NE(r.error.find("42201"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("requires schemas"), std::string::npos) << r.error;
  }
  EXPECT_EQ(proxy.requests().size(), 1u);
}

TEST_F(FakeProxySink, BigBatchesAreSplitAtTheConfiguredSize) {
  FakeProxy proxy([](const RecordedRequest& r) {
    return FakeReply{200, all_ok(records_in(r.body), 0)};
  });
  auto options = quick_options(proxy.url(), Dialect::kStrimzi);
  options.max_records_per_request = 500;
  auto sink = connector::make_rest_proxy_sink(options);
  std::vector<OutgoingRecord> records(1200, OutgoingRecord{std::nullopt, "v", std::nullopt});
  auto results = sink->produce("out", records);
  ASSERT_EQ(results.size(), 1200u);
  for (const auto& r : results) ASSERT_TRUE(r.ok);
  auto requests = proxy.requests();
  ASSERT_EQ(requests.size(), 3u);
  std::vector<size_t> sizes;
  for (auto& r : requests) sizes.push_back(records_in(r.body));
  std::sort(sizes.begin(), sizes.end());
  EXPECT_EQ(sizes, (std::vector<size_t>{200, 500, 500}));
}

}  // namespace
}  // namespace streamhost::testing
