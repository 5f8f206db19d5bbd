// The seek case of runtime_seek_replay_test.cpp through the real REST proxy source: a proxy that
// returns the records its consumer fetched past a seek target before the target itself (as a
// Confluent REST Proxy can) must not make the pipeline lose or skip a record, nor commit past one
// not done. The proxy is the connectors' fake (tests/connectors/fake_consumer_proxy.hpp), because
// neither real proxy keeps its fetch buffer across a seek on demand.
#include <gtest/gtest.h>

#include <set>

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
using streamhost::testing::FakeReply;
using streamhost::testing::RecordedRequest;

// The next offsets a commit body asks for, in Kafka's convention.
std::vector<int64_t> committed_in(const RecordedRequest& r, Dialect dialect) {
  std::vector<int64_t> out;
  auto doc = streamhost::testing::parse_json(r.body);
  if (!doc.IsObject() || !doc.HasMember("offsets")) return out;
  for (const auto& o : doc["offsets"].GetArray()) {
    out.push_back(o["offset"].GetInt64() + (dialect == Dialect::kConfluent ? 1 : 0));
  }
  return out;
}

TEST(ProxySeek, RecordsFetchedPastASeekTargetComeFirstAndNothingBelowItIsLostOrSkipped) {
  connector::init_http_threads(4);
  for (Dialect dialect : {Dialect::kConfluent, Dialect::kStrimzi}) {
    SCOPED_TRACE(dialect == Dialect::kConfluent ? "confluent" : "strimzi");
    // Offsets 0..29, ten a read, the consumer ten ahead. Offset 9, the last of the first read,
    // asks to retry, which pauses the partition; the second read (10..19) waits for that pause,
    // so its records are dropped and read again later from 10. Further reads give nothing until
    // the host seeks to 10, by when the consumer holds 20..29, which it returns first.
    FakeConsumerProxy state(dialect);
    state.serve_log({"in", 0, 30, 10, 10, true});
    metrics::Registry registry;
    RetryPauseWatch pause_watch(registry);
    std::atomic<int> served{0};
    std::atomic<bool> second_read_dispatched{false};
    state.reads_stall = [&](size_t, size_t seeks) {
      if (served == 1 && !pause_watch.seen()) return true;
      if (served >= 2) {
        second_read_dispatched = true;  // the poll thread is back: it dispatched the last read
        if (seeks == 0) return true;
      }
      ++served;
      return false;
    };
    std::mutex mutex;
    std::set<int64_t> handled;
    std::vector<std::string> bad_commits;
    state.fault = [&](const RecordedRequest& r) -> std::optional<FakeReply> {
      if (r.method != "POST" || !r.path.ends_with("/offsets")) return std::nullopt;
      std::lock_guard lock(mutex);
      for (int64_t next : committed_in(r, dialect)) {
        for (int64_t o = 0; o < next; ++o) {
          if (handled.count(o) == 0) {
            bad_commits.push_back("committed " + std::to_string(next) + " before " +
                                  std::to_string(o) + " was handled");
            break;
          }
        }
      }
      return std::nullopt;
    };
    FakeProxy proxy(std::ref(state));

    connector::ConsumerOptions consumer;
    consumer.group = "seek-group";
    consumer.instance_prefix = "seek";
    auto source = connector::make_rest_proxy_source(
        streamhost::testing::quick_options(proxy.url(), dialect), consumer);
    source->subscribe({"in"});

    TestPluginInstance plugin([&](const sp::Record& in, sp::Emitter& out) {
      if (in.offset() == 9 && !second_read_dispatched) {
        return sp::Outcome::retry("scorer unavailable");
      }
      {
        std::lock_guard lock(mutex);
        handled.insert(in.offset());
      }
      out.emit(in.value(), in.key());
      return sp::Outcome::ok();
    });
    FakeSink sink;
    JumpingClock clock;
    runtime::PipelineOptions options = single_worker_retrying_options(clock);
    options.poll_timeout = 10ms;
    runtime::Pipeline pipeline(*source, sink, {plugin.route("r", "in", "out")}, options, registry);
    std::thread thread([&] { pipeline.run(); });
    const bool committed_all = eventually([&] {
      const auto commits = state.commits();
      return !commits.empty() && commits.back() == 30;
    });
    pipeline.request_stop();
    thread.join();
    source->close();

    ASSERT_TRUE(committed_all) << state.commits().size() << " commits";
    const auto seeks = state.seeks();
    ASSERT_FALSE(seeks.empty()) << "the partition was never rewound";
    EXPECT_EQ(seeks.front(), 10);
    EXPECT_EQ(registry.counter_value("streamhost_stale_records_after_seek_total"), 10u)
        << "the proxy's records 20..29 from before the seek were not the ones dropped";
    EXPECT_EQ(registry.counter_value("streamhost_duplicates_skipped_total"), 0u)
        << "records re-read from the seek target were taken for duplicates";
    std::lock_guard lock(mutex);
    for (int64_t o = 0; o < 30; ++o) EXPECT_TRUE(handled.count(o)) << "offset " << o << " lost";
    EXPECT_TRUE(bad_commits.empty()) << bad_commits.front();
    std::vector<std::string> outputs;
    for (const auto& p : sink.produced_to("out")) outputs.push_back(p.value);
    EXPECT_EQ(outputs.size(), 30u) << "each record handled once";
  }
}

}  // namespace
}  // namespace streamhost::host::testing
