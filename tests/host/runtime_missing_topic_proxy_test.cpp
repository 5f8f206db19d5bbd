// A pipeline whose source topic does not exist, for a minute of its own clock, through the real
// REST proxy source: it must leave at most one consumer instance in the proxy and say which topic
// is missing. The proxy is the connectors' fake (tests/connectors/fake_consumer_proxy.hpp): the
// local stack's Strimzi bridge returns empty reads for a missing topic, and neither Karapace's
// conflated 40403 nor a Confluent proxy's instance expiry can be had from it on demand.
#include <gtest/gtest.h>

#include "fake_consumer_proxy.hpp"
#include "fake_proxy.hpp"
#include "runtime_test_doubles.hpp"
#include "test_support.hpp"

namespace streamhost::host::testing {
namespace {

using namespace std::chrono_literals;
using connector::Dialect;
using streamhost::testing::FakeConsumerProxy;
using streamhost::testing::FakeProxy;
using Read = FakeConsumerProxy::UnknownTopicRead;

struct Case {
  const char* name;
  Dialect dialect;
  Read read;
  std::chrono::milliseconds idle_expiry;  // 0: the proxy never expires an instance
  bool names_the_topic;                   // the reads fail, so the host can say why
};

TEST(ProxyMissingTopic, AMinuteOnAMissingTopicLeavesAtMostOneInstanceAndNamesTheTopic) {
  connector::init_http_threads(4);
  const Case cases[] = {
      // Karapace: 40403 "Unknown topic or partition" for the read; instances never expire.
      {"karapace", Dialect::kConfluent, Read::kKarapace, 0ms, true},
      // A Confluent-v2 proxy's semantics: instances expire after consumer.instance.timeout.ms
      // (30 s, the value docs/connectors.md recommends), here with rest-utils' 40403 for Kafka's
      // UnknownTopicOrPartitionException and with the bare "Consumer instance not found.".
      {"confluent, rest-utils 40403", Dialect::kConfluent, Read::kRestUtils, 30000ms, true},
      {"confluent, instance not found", Dialect::kConfluent, Read::kInstanceNotFound, 30000ms,
       true},
      // What the Java consumer behind the Confluent proxy and the Strimzi bridge do: empty reads.
      {"confluent, empty reads", Dialect::kConfluent, Read::kEmpty, 30000ms, false},
      {"strimzi, empty reads", Dialect::kStrimzi, Read::kEmpty, 0ms, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    JumpingClock clock;
    FakeConsumerProxy state(c.dialect);
    state.unknown_topic_read = c.read;
    state.idle_expiry = c.idle_expiry;
    state.clock = [&clock] { return clock.now(); };
    state.set_topic_missing("mapper-in", true);
    FakeProxy proxy(std::ref(state));

    connector::ConsumerOptions consumer;
    consumer.group = "mapper";
    consumer.instance_name = "mapper-host-a";  // what the host sets from the host name
    auto source = connector::make_rest_proxy_source(
        streamhost::testing::quick_options(proxy.url(), c.dialect), consumer);
    TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
      out.emit(in.value(), in.key());
      return sp::Outcome::ok();
    });
    FakeSink sink;
    metrics::Registry registry;
    runtime::PipelineOptions options = single_worker_retrying_options(clock);
    options.poll_timeout = 10ms;  // poll_retry keeps its default: 200 ms doubling to 10 s
    runtime::Pipeline pipeline(*source, sink, {plugin.route("r", "mapper-in", "out")}, options,
                               registry);
    const auto start = clock.now();
    std::thread thread([&] { pipeline.run(); });
    // Empty reads do not move the jumping clock; a minute of them is a few thousand polls.
    const size_t empty_reads_for_a_minute = 60000 / 10;
    const bool a_minute = eventually([&] {
      return clock.now() - start >= 60s ||
             proxy.requests_to("GET", "/records").size() >= empty_reads_for_a_minute;
    });
    const std::string source_error = pipeline.health().source_error;
    pipeline.request_stop();
    thread.join();

    ASSERT_TRUE(a_minute);
    EXPECT_LE(state.most_live(), 1u) << "consumer instances left behind";
    EXPECT_LE(state.live().size(), 1u);
    EXPECT_TRUE(source->stats().warning.empty()) << source->stats().warning;
    if (c.names_the_topic) {
      EXPECT_NE(source_error.find("\"mapper-in\" does not exist"), std::string::npos)
          << source_error;
    }
    source->close();
    EXPECT_TRUE(state.live().empty()) << "close() deletes the one instance";
  }
}

}  // namespace
}  // namespace streamhost::host::testing
