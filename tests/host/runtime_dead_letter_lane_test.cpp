// Dead letters do not wait behind a backlog of results: each holds its partition's commit back
// until Kafka acknowledges it, and a kill -9 meanwhile replays everything after that commit. The
// oldest one still waiting shows in streamhost_dead_letter_oldest_unacked_seconds.
#include <gtest/gtest.h>

#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

using namespace std::chrono_literals;

constexpr char kOldest[] = "streamhost_dead_letter_oldest_unacked_seconds";

double oldest_unacked(metrics::Registry& registry) {
  registry.render();  // runs the collect hooks, as a scrape does
  return registry.gauge(kOldest, "").value();
}

// Moves the jumping clock forward as a wait for `by` would.
void advance(JumpingClock& clock, std::chrono::seconds by) {
  std::mutex mutex;
  std::condition_variable cv;
  std::unique_lock lock(mutex);
  clock.wait_until(cv, lock, clock.now() + by);
}

TEST(DeadLetterLane, ADeadLetterGoesOutBeforeTheResultsQueuedAheadOfIt) {
  constexpr int kResults = 10;
  std::atomic<int> handled{0};
  TestPluginInstance plugin([&](const sp::Record& in, sp::Emitter& out) {
    ++handled;
    if (in.value() == "bad") return sp::Outcome::reject("not a focus event");
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  PipelineHarness h;
  // The sink is slow: its first request (two results) is still open while every other record is
  // handled, so eight results and then the dead letter queue up behind it.
  h.sink.hold(true);
  for (int i = 0; i < kResults; ++i) {
    h.source.append({make_record("in", 0, i, "k", "r" + std::to_string(i))});
  }
  h.source.append({make_record("in", 0, kResults, "k", "bad")});
  auto options = h.options(1);
  options.max_produce_batch = 2;
  h.start({plugin.route("r", "in", "out")}, options);
  ASSERT_TRUE(eventually([&] { return handled.load() == kResults + 1; }));
  ASSERT_TRUE(eventually([&] {
    advance(h.clock, 1s);
    return oldest_unacked(h.registry) >= 1.0;
  })) << "the waiting dead letter does not show in "
      << kOldest;

  h.sink.hold(false);
  ASSERT_TRUE(eventually([&] { return h.source.committed({"in", 0}) == kResults + 1; }));
  EXPECT_EQ(oldest_unacked(h.registry), 0.0) << "acknowledged, so none waits";
  EXPECT_EQ(h.stop().exit_code, 0);

  const auto produced = h.sink.produced();
  ASSERT_EQ(produced.size(), static_cast<size_t>(kResults + 1));
  size_t dead_letter_at = produced.size();
  for (size_t i = 0; i < produced.size(); ++i) {
    if (produced[i].topic == "dlq") dead_letter_at = i;
  }
  // Only the request already open when it was queued (one or two results) goes before it.
  EXPECT_LE(dead_letter_at, 2u) << "the dead letter waited behind the queued results";
  std::vector<std::string> results;
  for (const auto& p : h.sink.produced_to("out")) results.push_back(p.value);
  for (int i = 0; i < kResults; ++i) EXPECT_EQ(results.at(i), "r" + std::to_string(i));
}

}  // namespace
}  // namespace streamhost::host::testing
