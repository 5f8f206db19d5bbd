// Source behaviour the real bridge cannot show on demand: Confluent bodies, 40403 expiry, 503,
// slow and malformed replies. See fake_proxy.hpp for why a fake exists at all.
#include <gtest/gtest.h>

#include <optional>
#include <streamhost/connector/errors.hpp>
#include <streamhost/connector/rest_proxy.hpp>

#include "fake_consumer_proxy.hpp"
#include "fake_proxy.hpp"
#include "test_support.hpp"

namespace streamhost::testing {
namespace {

using namespace std::chrono_literals;
using connector::Dialect;

class FakeProxySource : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { connector::init_http_threads(4); }

  static connector::ConsumerOptions consumer() {
    connector::ConsumerOptions c;
    c.group = "coupon group";  // a space proves the group is percent-encoded
    c.auto_offset_reset = "earliest";
    c.instance_prefix = "test";
    return c;
  }
};

TEST_F(FakeProxySource, ConfluentRequestsUseExactTypesFieldsAndCommitNextMinusOne) {
  FakeConsumerProxy state(Dialect::kConfluent);
  state.queue_batch(R"([{"topic":"t","key":null,"value":"bm90IGpzb24=","partition":0,"offset":41},)"
                    R"({"topic":"t","key":"azE=","value":"AP8=","partition":1,"offset":9}])");
  FakeProxy proxy(std::ref(state));
  auto source = connector::make_rest_proxy_source(quick_options(proxy.url(), Dialect::kConfluent),
                                                  consumer());
  source->subscribe({"t"});
  EXPECT_EQ(source->generation(), 1u);
  auto records = source->poll(200ms);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_FALSE(records[0].key);
  EXPECT_EQ(records[0].value, "not json");
  EXPECT_EQ(records[1].key, "k1");
  EXPECT_EQ(records[1].value, std::string("\x00\xff", 2));
  source->commit({{{"t", 0}, 42}, {{"t", 1}, 10}});
  source->seek({"t", 1}, 5);
  source->close();

  auto creates = proxy.requests_to("POST", "/consumers/coupon group");
  ASSERT_EQ(creates.size(), 1u);
  EXPECT_EQ(creates[0].header("content-type"), "application/vnd.kafka.v2+json");
  EXPECT_EQ(creates[0].header("accept"), "application/vnd.kafka.v2+json");
  auto create = parse_json(creates[0].body);
  ASSERT_TRUE(create.IsObject());
  ASSERT_TRUE(create["auto.commit.enable"].IsString());
  EXPECT_STREQ(create["auto.commit.enable"].GetString(), "false");
  EXPECT_FALSE(create.HasMember("enable.auto.commit"));
  EXPECT_STREQ(create["format"].GetString(), "binary");
  EXPECT_STREQ(create["auto.offset.reset"].GetString(), "earliest");
  EXPECT_EQ(std::string(create["name"].GetString()).rfind("test-", 0), 0u);
  const std::string instance = create["name"].GetString();

  auto subs = proxy.requests_to("POST", "/instances/" + instance + "/subscription");
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(subs[0].body, R"({"topics":["t"]})");
  EXPECT_EQ(subs[0].header("content-type"), "application/vnd.kafka.v2+json");

  auto polls = proxy.requests_to("GET", "/records");
  ASSERT_EQ(polls.size(), 1u);
  EXPECT_EQ(polls[0].header("accept"), "application/vnd.kafka.binary.v2+json");
  EXPECT_EQ(polls[0].query, "timeout=200");
  EXPECT_EQ(polls[0].query.find("max_bytes"), std::string::npos);
  // Following base_uri is off by default: the instance is reached through the configured URL.
  EXPECT_EQ(polls[0].path, "/consumers/coupon group/instances/" + instance + "/records");

  auto commits = proxy.requests_to("POST", "/offsets");
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].header("content-type"), "application/vnd.kafka.v2+json");
  EXPECT_EQ(commits[0].body, R"({"offsets":[{"topic":"t","partition":0,"offset":41},)"
                             R"({"topic":"t","partition":1,"offset":9}]})");
  auto seeks = proxy.requests_to("POST", "/positions");
  ASSERT_EQ(seeks.size(), 1u);
  EXPECT_EQ(seeks[0].body, R"({"offsets":[{"topic":"t","partition":1,"offset":5}]})");

  auto deletes = proxy.requests_to("DELETE", "/instances/" + instance);
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_FALSE(deletes[0].has_header("content-type"));
  EXPECT_TRUE(state.live().empty());
  EXPECT_EQ(source->stats().records, 2u);
}

TEST_F(FakeProxySource, StrimziCommitsNextOffsetAsIsWithBooleanAutoCommit) {
  FakeConsumerProxy state(Dialect::kStrimzi);
  FakeProxy proxy(std::ref(state));
  auto c = consumer();
  c.extra_properties_json = R"({"isolation.level":"read_committed"})";
  auto source = connector::make_rest_proxy_source(quick_options(proxy.url(), Dialect::kStrimzi), c);
  source->subscribe({"t"});
  source->commit({{{"t", 0}, 42}});
  auto create = parse_json(proxy.requests_to("POST", "/consumers/coupon group")[0].body);
  ASSERT_TRUE(create["enable.auto.commit"].IsBool());
  EXPECT_FALSE(create["enable.auto.commit"].GetBool());
  EXPECT_FALSE(create.HasMember("auto.commit.enable"));
  EXPECT_STREQ(create["isolation.level"].GetString(), "read_committed");
  EXPECT_EQ(proxy.requests_to("POST", "/offsets")[0].body,
            R"({"offsets":[{"topic":"t","partition":0,"offset":42}]})");
}

// A proxy that hangs on the DELETE must not hold a stopping host for the request timeout: close()
// makes one attempt bounded by delete_timeout and returns (the proxy expires the instance later).
TEST_F(FakeProxySource, CloseGivesUpOnAHungProxyAfterTheDeleteTimeout) {
  FakeConsumerProxy state(Dialect::kStrimzi);
  state.fault = [](const RecordedRequest& r) -> std::optional<FakeReply> {
    if (r.method != "DELETE") return std::nullopt;
    return FakeReply{204, "", "application/vnd.kafka.v2+json", {}, 6s};
  };
  FakeProxy proxy(std::ref(state));
  auto options = quick_options(proxy.url(), Dialect::kStrimzi);
  options.request_timeout = 30s;
  options.delete_timeout = 300ms;
  auto source = connector::make_rest_proxy_source(options, consumer());
  source->subscribe({"t"});
  const auto start = std::chrono::steady_clock::now();
  source->close();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(proxy.requests_to("DELETE", "").size(), 1u) << "one attempt, no retries";
  // A hang guard, not a speed check: without the bound close() waits for the 6 s reply.
  EXPECT_LT(took, 4s);
}

TEST_F(FakeProxySource, ExpiredInstanceIsRecreatedResubscribedAndDeliveryResumes) {
  FakeConsumerProxy state(Dialect::kConfluent);
  FakeProxy proxy(std::ref(state));
  auto source = connector::make_rest_proxy_source(quick_options(proxy.url(), Dialect::kConfluent),
                                                  consumer());
  source->subscribe({"t"});
  const std::string first = *state.live().begin();
  state.expire(first);  // the proxy's idle sweep, as after five quiet minutes
  state.queue_batch(R"([{"topic":"t","key":null,"value":"eA==","partition":0,"offset":3}])");

  auto records = source->poll(100ms);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].value, "x");
  EXPECT_EQ(source->generation(), 2u);
  EXPECT_EQ(source->stats().instance_recreations, 1u);
  ASSERT_EQ(state.live().size(), 1u);
  const std::string second = *state.live().begin();
  EXPECT_NE(first, second);
  EXPECT_EQ(proxy.requests_to("POST", "/instances/" + second + "/subscription").size(), 1u);
  EXPECT_EQ(proxy.requests_to("GET", "/instances/" + second + "/records").size(), 1u);
}

// A replica restarted after kill -9: its predecessor's instance, under the same stable name, still
// holds partitions in the proxy. It is deleted before the new one is created.
TEST_F(FakeProxySource, AStableNameDeletesThePredecessorFirstAndIsKeptAcrossRecreation) {
  for (Dialect dialect : {Dialect::kConfluent, Dialect::kStrimzi}) {
    FakeConsumerProxy state(dialect);
    FakeProxy proxy(std::ref(state));
    state.adopt("coupon-host-a");  // what the dead predecessor left behind
    auto c = consumer();
    c.instance_name = "coupon-host-a";
    auto source = connector::make_rest_proxy_source(quick_options(proxy.url(), dialect), c);
    source->subscribe({"t"});

    const auto requests = proxy.requests();
    ASSERT_GE(requests.size(), 3u);
    EXPECT_EQ(requests[0].method, "DELETE");
    EXPECT_EQ(requests[0].path, "/consumers/coupon group/instances/coupon-host-a");
    EXPECT_EQ(requests[1].method, "POST");
    EXPECT_NE(requests[1].body.find(R"("name":"coupon-host-a")"), std::string::npos)
        << requests[1].body;
    EXPECT_EQ(state.live(), std::set<std::string>{"coupon-host-a"});
    EXPECT_TRUE(source->stats().warning.empty());

    // Expired by the proxy: recreated under the same name. The delete before it (answered 404
    // here) is what frees the name on a proxy that only said "not found".
    state.expire("coupon-host-a");
    source->poll(10ms);
    EXPECT_EQ(source->generation(), 2u);
    EXPECT_EQ(state.live(), std::set<std::string>{"coupon-host-a"});
    EXPECT_TRUE(source->stats().warning.empty()) << source->stats().warning;
  }
}

// A proxy may answer "instance not found" for an instance it still holds: Karapace for a missing
// topic, or a replica behind a load balancer that does not hold it. The old instance is deleted
// before the new one is created, so the proxy keeps no orphan (a Confluent proxy would keep it,
// and its group membership, for consumer.instance.timeout.ms; Karapace forever).
TEST_F(FakeProxySource, AnInstanceAnsweredNotFoundIsDeletedBeforeItIsReplaced) {
  for (Dialect dialect : {Dialect::kConfluent, Dialect::kStrimzi}) {
    SCOPED_TRACE(dialect == Dialect::kConfluent ? "confluent" : "strimzi");
    FakeConsumerProxy state(dialect);
    std::atomic<int> not_found_reads{1};
    state.fault = [&](const RecordedRequest& r) -> std::optional<FakeReply> {
      if (r.path.ends_with("/records") && not_found_reads.fetch_sub(1) > 0) return state.gone();
      return std::nullopt;
    };
    FakeProxy proxy(std::ref(state));
    auto source =
        connector::make_rest_proxy_source(quick_options(proxy.url(), dialect), consumer());
    source->subscribe({"t"});
    const std::string first = *state.live().begin();
    source->poll(10ms);
    EXPECT_EQ(source->generation(), 2u);
    EXPECT_EQ(state.live().size(), 1u) << "the instance answered 'not found' was left behind";
    EXPECT_EQ(state.live().count(first), 0u);
    EXPECT_EQ(proxy.requests_to("DELETE", "/instances/" + first).size(), 1u);
  }
}

// Right after its own loss the stable name is this host's own, not another replica's: when the
// delete before the create fails (one attempt, bounded), the 409 that follows makes the source
// delete the name and take it again, without the twin warning.
TEST_F(FakeProxySource, A409OnItsOwnNameRightAfterItsLossIsNotAnotherReplica) {
  FakeConsumerProxy state(Dialect::kConfluent);
  std::atomic<bool> lost{false};
  std::atomic<int> failed_deletes{0};
  state.fault = [&](const RecordedRequest& r) -> std::optional<FakeReply> {
    if (!lost) return std::nullopt;
    if (r.path.ends_with("/records")) {
      lost = false;
      return state.gone();  // "not found", yet the proxy still holds the instance
    }
    return std::nullopt;
  };
  FakeProxy proxy(std::ref(state));
  auto c = consumer();
  c.instance_name = "coupon-host-a";
  auto options = quick_options(proxy.url(), Dialect::kConfluent);
  options.delete_timeout = 200ms;
  auto source = connector::make_rest_proxy_source(options, c);
  source->subscribe({"t"});
  // From now on the first delete of the instance fails as a proxy that is briefly overloaded does.
  state.fault = [&, inner = state.fault](const RecordedRequest& r) -> std::optional<FakeReply> {
    if (r.method == "DELETE" && failed_deletes.fetch_add(1) == 0) {
      return FakeReply{503, R"({"error_code":50301,"message":"overloaded"})"};
    }
    return inner(r);
  };
  lost = true;
  source->poll(10ms);
  EXPECT_EQ(source->generation(), 2u);
  EXPECT_EQ(state.live(), std::set<std::string>{"coupon-host-a"});
  EXPECT_TRUE(source->stats().warning.empty()) << source->stats().warning;
}

// Karapace answers a read of a subscribed topic that does not exist with 404 40403, the code of a
// lost instance. The source looks the topic up, names it, and keeps its one instance.
TEST_F(FakeProxySource, AMissingTopicIsNamedAndTheInstanceKeptWhateverThe404Says) {
  using Read = FakeConsumerProxy::UnknownTopicRead;
  for (Read read : {Read::kKarapace, Read::kRestUtils, Read::kInstanceNotFound}) {
    SCOPED_TRACE(static_cast<int>(read));
    FakeConsumerProxy state(Dialect::kConfluent);
    state.unknown_topic_read = read;
    state.set_topic_missing("orders-in", true);
    FakeProxy proxy(std::ref(state));
    auto c = consumer();
    c.instance_name = "mapper-host-a";
    auto source =
        connector::make_rest_proxy_source(quick_options(proxy.url(), Dialect::kConfluent), c);
    source->subscribe({"present", "orders-in"});
    for (int i = 0; i < 5; ++i) {
      try {
        source->poll(10ms);
        FAIL() << "a read of a missing topic must not pass as an empty batch";
      } catch (const connector::TransientError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("\"orders-in\" does not exist"), std::string::npos) << what;
        EXPECT_EQ(what.find("\"present\""), std::string::npos) << what;
        EXPECT_NE(what.find("40401"), std::string::npos) << "the proxy's own answer: " << what;
      }
    }
    EXPECT_EQ(state.most_live(), 1u);
    EXPECT_EQ(state.live(), std::set<std::string>{"mapper-host-a"});
    EXPECT_TRUE(source->stats().warning.empty()) << source->stats().warning;
    if (read != Read::kInstanceNotFound) {
      EXPECT_EQ(source->generation(), 1u) << "the message said topic: nothing to recreate";
    }

    // Created: the same source reads on.
    state.set_topic_missing("orders-in", false);
    state.queue_batch(
        R"([{"topic":"orders-in","key":null,"value":"eA==","partition":0,"offset":0}])");
    EXPECT_EQ(source->poll(10ms).size(), 1u);
    EXPECT_EQ(state.live(), std::set<std::string>{"mapper-host-a"});
  }
}

// Two replicas configured with one name: the second must not keep deleting the first's instance
// (they would take each other's partitions in turn); it takes a random name and says why.
TEST_F(FakeProxySource, AStableNameHeldByALiveTwinFallsBackToARandomSuffixAndWarns) {
  FakeConsumerProxy state(Dialect::kStrimzi);
  FakeProxy proxy(std::ref(state));
  bool twin_recreated = false;
  state.fault = [&](const RecordedRequest& r) -> std::optional<FakeReply> {
    // The twin is alive: right after our delete of the predecessor, it creates its instance again.
    if (r.method == "DELETE" && !twin_recreated) {
      twin_recreated = true;
      state.adopt("coupon-host-a");
      return FakeReply{204, ""};
    }
    return std::nullopt;
  };
  auto c = consumer();
  c.instance_name = "coupon-host-a";
  auto source = connector::make_rest_proxy_source(quick_options(proxy.url(), Dialect::kStrimzi), c);
  source->subscribe({"t"});
  const auto live = state.live();
  ASSERT_EQ(live.size(), 2u);
  EXPECT_TRUE(live.count("coupon-host-a")) << "the twin's instance is left alone";
  const std::string ours = *std::find_if(live.begin(), live.end(),
                                         [](const std::string& n) { return n != "coupon-host-a"; });
  EXPECT_EQ(ours.rfind("coupon-host-a-", 0), 0u) << ours;
  EXPECT_NE(source->stats().warning.find("held by another live consumer"), std::string::npos)
      << source->stats().warning;
  EXPECT_EQ(proxy.requests_to("DELETE", "").size(), 1u) << "only the predecessor delete";
}

TEST_F(FakeProxySource, CommitOnALostInstanceIsTransientAndTheNextPollRecreates) {
  FakeConsumerProxy state(Dialect::kConfluent);
  FakeProxy proxy(std::ref(state));
  auto source = connector::make_rest_proxy_source(quick_options(proxy.url(), Dialect::kConfluent),
                                                  consumer());
  source->subscribe({"t"});
  state.expire(*state.live().begin());
  EXPECT_THROW(source->commit({{{"t", 0}, 5}}), connector::TransientError);
  source->poll(10ms);
  EXPECT_EQ(source->generation(), 2u);
}

TEST_F(FakeProxySource, ServiceUnavailableIsRetriedThenSucceeds) {
  FakeConsumerProxy state(Dialect::kConfluent);
  std::atomic<int> failures{2};
  state.fault = [&](const RecordedRequest& r) -> std::optional<FakeReply> {
    if (r.path.ends_with("/records") && failures.fetch_sub(1) > 0) {
      return FakeReply{503, R"({"error_code":50301,"message":"Bridge is overloaded"})"};
    }
    return std::nullopt;
  };
  state.queue_batch(R"([{"topic":"t","key":null,"value":"eA==","partition":0,"offset":0}])");
  FakeProxy proxy(std::ref(state));
  auto source = connector::make_rest_proxy_source(quick_options(proxy.url(), Dialect::kConfluent),
                                                  consumer());
  source->subscribe({"t"});
  EXPECT_EQ(source->poll(50ms).size(), 1u);
  auto stats = source->stats();
  EXPECT_EQ(stats.retries, 2u);
  EXPECT_EQ(stats.transient_errors, 2u);
  EXPECT_TRUE(stats.reachable);
  EXPECT_TRUE(stats.last_error.empty());
}

TEST_F(FakeProxySource, RepliesSlowerThanTheRequestTimeoutEndInTransientError) {
  FakeConsumerProxy state(Dialect::kConfluent);
  state.fault = [](const RecordedRequest& r) -> std::optional<FakeReply> {
    if (r.path.ends_with("/records")) return FakeReply{200, "[]", "application/json", {}, 1500ms};
    return std::nullopt;
  };
  FakeProxy proxy(std::ref(state));
  auto options = quick_options(proxy.url(), Dialect::kConfluent);
  options.request_timeout = 300ms;
  options.max_retries = 2;
  auto source = connector::make_rest_proxy_source(options, consumer());
  source->subscribe({"t"});
  EXPECT_THROW(source->poll(50ms), connector::TransientError);
  auto stats = source->stats();
  EXPECT_FALSE(stats.reachable);
  EXPECT_FALSE(stats.last_error.empty());
  // Retried, but a poll stops retrying once timeout + request_timeout has passed, so it may end
  // before using all max_retries.
  const size_t attempts = proxy.requests_to("GET", "/records").size();
  EXPECT_GE(attempts, 2u);
  EXPECT_LE(attempts, 3u);
}

TEST_F(FakeProxySource, TruncatedRecordsReplyIsAClearErrorAndNothingIsLost) {
  FakeConsumerProxy state(Dialect::kConfluent);
  state.queue_batch(R"([{"topic":"t","key":null,"value":"eA==","partition":0,"off)");
  FakeProxy proxy(std::ref(state));
  auto source = connector::make_rest_proxy_source(quick_options(proxy.url(), Dialect::kConfluent),
                                                  consumer());
  source->subscribe({"t"});
  try {
    source->poll(10ms);
    FAIL() << "a truncated reply must not pass as records";
  } catch (const connector::TransientError& e) {
    EXPECT_NE(std::string(e.what()).find("malformed reply"), std::string::npos) << e.what();
  }
  // A new instance re-reads from the committed offsets: the records of the broken reply return.
  source->poll(10ms);
  EXPECT_EQ(source->generation(), 2u);
  EXPECT_EQ(state.live().size(), 1u);  // the old instance was deleted, not orphaned
}

TEST_F(FakeProxySource, ConfluentPlainText400IsAPermanentErrorWithTheProxysWords) {
  FakeConsumerProxy state(Dialect::kConfluent);
  state.fault = [](const RecordedRequest& r) -> std::optional<FakeReply> {
    if (r.method == "POST" && r.path.rfind("/consumers/", 0) == 0 &&
        r.path.find("/instances/") == std::string::npos) {
      return FakeReply{400, "Unrecognized field \"bogus\" (class CreateConsumerInstanceRequest)",
                       "text/plain"};
    }
    return std::nullopt;
  };
  FakeProxy proxy(std::ref(state));
  auto source = connector::make_rest_proxy_source(quick_options(proxy.url(), Dialect::kConfluent),
                                                  consumer());
  try {
    source->subscribe({"t"});
    FAIL() << "a 400 is permanent";
  } catch (const connector::PermanentError& e) {
    EXPECT_NE(std::string(e.what()).find("Unrecognized field \"bogus\""), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("HTTP 400"), std::string::npos) << e.what();
  }
}

TEST_F(FakeProxySource, ConnectionRefusedIsTransientAndShowsInStats) {
  auto options =
      quick_options("http://127.0.0.1:" + std::to_string(free_local_port()), Dialect::kStrimzi);
  options.max_retries = 1;
  auto source = connector::make_rest_proxy_source(options, consumer());
  EXPECT_THROW(source->subscribe({"t"}), connector::TransientError);
  auto stats = source->stats();
  EXPECT_FALSE(stats.reachable);
  EXPECT_EQ(stats.transient_errors, 2u);
  EXPECT_EQ(stats.retries, 1u);
}

TEST_F(FakeProxySource, FollowsBaseUriWhenAsked) {
  FakeConsumerProxy state(Dialect::kConfluent);
  FakeProxy proxy(std::ref(state));
  auto options = quick_options(proxy.url(), Dialect::kConfluent);
  options.follow_base_uri = true;  // the fake's base_uri names an unreachable host
  options.max_retries = 0;
  options.request_timeout = 500ms;
  auto source = connector::make_rest_proxy_source(options, consumer());
  EXPECT_THROW(source->subscribe({"t"}), connector::TransientError);
  EXPECT_NE(source->stats().last_error.find("elsewhere.invalid"), std::string::npos)
      << source->stats().last_error;
}

}  // namespace
}  // namespace streamhost::testing
