// runtime/output_producer: lanes. Several requests in flight at once, one key's outputs in order
// even across a retried request, a stalled request holding back only its own lane, and nothing
// acknowledged twice or lost.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "runtime/output_producer.hpp"

namespace streamhost::host::runtime {
namespace {

using namespace std::chrono_literals;

// A sink that runs requests concurrently (unlike the pipeline tests' FakeSink), counts how many
// overlap, can stall every request holding a given key until released, and can fail the first
// attempt at each record of a given key transiently.
class LaneSink : public connector::Sink {
 public:
  std::vector<connector::DeliveryResult> produce(
      const std::string& topic, const std::vector<connector::OutgoingRecord>& records) override {
    const int now = ++concurrent_;
    for (int seen = max_concurrent_.load();
         now > seen && !max_concurrent_.compare_exchange_weak(seen, now);) {
    }
    bool stalls = false;
    for (const auto& r : records) stalls = stalls || (r.key && *r.key == stall_key_);
    if (stalls) {
      std::unique_lock lock(mutex_);
      released_.wait(lock, [&] { return !stalled_; });
    }
    // Some time on the wire, so requests of different lanes overlap.
    std::this_thread::sleep_for(2ms);
    std::vector<connector::DeliveryResult> results;
    {
      std::lock_guard lock(mutex_);
      for (const auto& r : records) {
        if (r.key && *r.key == flaky_key_ && failed_once_.insert(r.value).second) {
          results.push_back({false, true, -1, -1, "leader not available"});
          continue;
        }
        delivered_[topic + "/" + r.key.value_or("")].push_back(r.value);
        results.push_back({true, false, 0, static_cast<int64_t>(++offset_), ""});
      }
    }
    --concurrent_;
    return results;
  }
  connector::ConnectorStats stats() const override { return {}; }

  void stall(const std::string& key) {
    std::lock_guard lock(mutex_);
    stall_key_ = key;
    stalled_ = true;
  }
  void release() {
    std::lock_guard lock(mutex_);
    stalled_ = false;
    released_.notify_all();
  }
  void flaky(const std::string& key) { flaky_key_ = key; }
  std::map<std::string, std::vector<std::string>> delivered() const {
    std::lock_guard lock(mutex_);
    return delivered_;
  }
  int max_concurrent() const { return max_concurrent_; }

 private:
  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::string stall_key_, flaky_key_;
  bool stalled_ = false;
  std::set<std::string> failed_once_;
  std::map<std::string, std::vector<std::string>> delivered_;
  int64_t offset_ = 0;
  std::atomic<int> concurrent_{0}, max_concurrent_{0};
};

struct ProducerHarness {
  explicit ProducerHarness(size_t lanes)
      : metrics(registry, routes),
        in_flight(metrics.in_flight),
        producer(sink, steady_clock(), RetrySpec{1ms, 5ms, 2.0}, 50, lanes, metrics, in_flight,
                 [this](const std::string& m) { fatal = m; }) {
    route_metrics.records_out = &registry.counter("test_records_out_total", "test");
    route_metrics.dead_letters = &registry.counter("test_dead_letters_total", "test");
    producer.start();
  }
  ~ProducerHarness() {
    producer.abandon();
    producer.join();
  }

  // One input record with one output keyed `key`, to `topic`.
  std::shared_ptr<InFlight> submit(const std::string& topic, const std::string& key,
                                   const std::string& value) {
    auto owner = std::make_shared<InFlight>();
    owner->record.topic = "in";
    owner->metrics = &route_metrics;
    owner->outputs_pending = 1;
    in_flight.add();
    PendingOutput out;
    out.topic = topic;
    out.record = {key, value, std::nullopt};
    out.owner = owner;
    producer.submit({std::move(out)});
    return owner;
  }

  bool wait_idle() { return in_flight.wait_idle(std::chrono::steady_clock::now() + 20s); }

  metrics::Registry registry;
  std::vector<Route> routes;
  PipelineMetrics metrics;
  RouteMetrics route_metrics;
  InFlightCounter in_flight;
  LaneSink sink;
  OutputProducer producer;
  std::string fatal;
};

TEST(OutputProducerLanes, OneKeyAlwaysTakesOneLaneAndNullKeysFollowTheirPartition) {
  PendingOutput a, b;
  a.topic = b.topic = "out";
  a.record.key = b.record.key = "customer-7";
  EXPECT_EQ(OutputProducer::lane_of(a, 8), OutputProducer::lane_of(b, 8));
  std::set<size_t> lanes;
  for (int k = 0; k < 100; ++k) {
    a.record.key = "k" + std::to_string(k);
    lanes.insert(OutputProducer::lane_of(a, 8));
  }
  EXPECT_EQ(lanes.size(), 8u) << "100 keys should spread over all 8 lanes";
  EXPECT_EQ(OutputProducer::lane_of(a, 1), 0u);
}

TEST(OutputProducerLanes, SeveralRequestsAreInFlightAtOnceAndEveryKeyKeepsItsOrder) {
  ProducerHarness h(4);
  for (int i = 0; i < 400; ++i) h.submit("out", "k" + std::to_string(i % 16), std::to_string(i));
  ASSERT_TRUE(h.wait_idle());
  EXPECT_GE(h.sink.max_concurrent(), 2) << "4 lanes never had two requests in flight";
  size_t total = 0;
  for (const auto& [key, values] : h.sink.delivered()) {
    total += values.size();
    for (size_t i = 1; i < values.size(); ++i) {
      ASSERT_LT(std::stoi(values[i - 1]), std::stoi(values[i])) << key << " out of order";
    }
  }
  EXPECT_EQ(total, 400u);
  EXPECT_EQ(h.fatal, "");
}

TEST(OutputProducerLanes, ARetriedRequestIsNotOvertakenByLaterOutputsOfItsKey) {
  ProducerHarness h(4);
  h.sink.flaky("k3");  // every k3 record fails once, transiently
  for (int i = 0; i < 200; ++i) h.submit("out", "k" + std::to_string(i % 8), std::to_string(i));
  ASSERT_TRUE(h.wait_idle());
  const auto delivered = h.sink.delivered();
  const auto& k3 = delivered.at("out/k3");
  ASSERT_EQ(k3.size(), 25u);
  for (size_t i = 1; i < k3.size(); ++i) ASSERT_LT(std::stoi(k3[i - 1]), std::stoi(k3[i]));
}

TEST(OutputProducerLanes, AStalledRequestHoldsBackOnlyItsOwnLane) {
  ProducerHarness h(4);
  PendingOutput probe;
  probe.topic = "out";
  probe.record.key = "slow";
  const size_t stalled_lane = OutputProducer::lane_of(probe, 4);
  std::string other;
  for (int k = 0; other.empty(); ++k) {
    probe.record.key = "fast" + std::to_string(k);
    if (OutputProducer::lane_of(probe, 4) != stalled_lane) other = *probe.record.key;
  }
  h.sink.stall("slow");
  auto slow = h.submit("out", "slow", "s");
  auto fast = h.submit("out", other, "f");
  // The other lane delivers while the slow one is stalled (a deadline for a broken producer).
  for (int i = 0; i < 2000 && !fast->settled; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(fast->settled.load());
  EXPECT_FALSE(slow->settled.load());
  h.sink.release();
  ASSERT_TRUE(h.wait_idle());
  EXPECT_EQ(h.sink.delivered().at("out/slow").size(), 1u);
}

}  // namespace
}  // namespace streamhost::host::runtime
