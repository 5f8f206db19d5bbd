// Measures, against the local stack's REST proxy, how many records per second the sink produces at
// batch sizes 1, 100 and 500 and how fast the source consumes (polling and committing each batch).
// It prints the numbers and asserts only that every record arrived: speed is never asserted.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <streamhost/connector/rest_proxy.hpp>
#include <thread>

#include "bridge_support.hpp"

namespace streamhost::testing {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class BridgeThroughput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { connector::init_http_threads(2); }
  void SetUp() override {
    if (!read_stack(stack_)) GTEST_FAIL() << "the local stack is required";
  }
  StackEndpoints stack_;
};

std::vector<connector::OutgoingRecord> make_batch(size_t n, size_t value_bytes) {
  std::vector<connector::OutgoingRecord> batch;
  for (size_t i = 0; i < n; ++i) {
    batch.push_back(
        {"customer-" + std::to_string(i % 97), std::string(value_bytes, 'v'), std::nullopt});
  }
  return batch;
}

TEST_F(BridgeThroughput, ProduceRecordsPerSecondByBatchSize) {
  auto sink = connector::make_rest_proxy_sink(stack_options(stack_));
  const std::string topic = unique_name("produce-rate");
  create_topic(stack_, topic, 1);
  sink->produce(topic, make_batch(10, 200));  // warm-up: connection, producer, metadata
  for (size_t batch_size : {1, 100, 500}) {
    const size_t total = batch_size == 1 ? 1000 : 20000;
    const auto batch = make_batch(batch_size, 200);
    size_t acked = 0;
    const auto start = Clock::now();
    for (size_t sent = 0; sent < total; sent += batch_size) {
      for (const auto& r : sink->produce(topic, batch)) acked += r.ok ? 1 : 0;
    }
    const double elapsed = seconds_since(start);
    EXPECT_EQ(acked, total);
    std::printf("produce batch=%-4zu records=%-6zu %.2f s  %.0f records/s  %.0f requests/s\n",
                batch_size, total, elapsed, total / elapsed, (total / batch_size) / elapsed);
    RecordProperty("produce_rps_batch_" + std::to_string(batch_size), int(total / elapsed));
  }
}

// The host's workers share one sink; cpprestsdk then opens one kept-alive connection per
// concurrent request, so per-request latency overlaps.
TEST_F(BridgeThroughput, ProduceRecordsPerSecondFromFourThreadsSharingOneSink) {
  auto sink = connector::make_rest_proxy_sink(stack_options(stack_));
  const std::string topic = unique_name("produce-rate-mt");
  create_topic(stack_, topic, 1);
  sink->produce(topic, make_batch(10, 200));
  for (size_t batch_size : {1, 100}) {
    const size_t per_thread = batch_size == 1 ? 250 : 5000;
    const auto batch = make_batch(batch_size, 200);
    std::atomic<size_t> acked{0};
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (size_t sent = 0; sent < per_thread; sent += batch_size) {
          for (const auto& r : sink->produce(topic, batch)) acked += r.ok ? 1 : 0;
        }
      });
    }
    for (auto& t : threads) t.join();
    const double elapsed = seconds_since(start);
    EXPECT_EQ(acked.load(), 4 * per_thread);
    std::printf("produce 4 threads batch=%-4zu records=%-6zu %.2f s  %.0f records/s\n", batch_size,
                4 * per_thread, elapsed, 4 * per_thread / elapsed);
  }
}

TEST_F(BridgeThroughput, ConsumeRecordsPerSecond) {
  const std::string topic = unique_name("consume-rate");
  create_topic(stack_, topic, 1);
  auto sink = connector::make_rest_proxy_sink(stack_options(stack_));
  const size_t total = 50000;
  for (size_t sent = 0; sent < total; sent += 500) {
    for (const auto& r : sink->produce(topic, make_batch(500, 200))) ASSERT_TRUE(r.ok) << r.error;
  }
  connector::ConsumerOptions c;
  c.group = unique_name("group");
  c.auto_offset_reset = "earliest";
  auto source = connector::make_rest_proxy_source(stack_options(stack_), c);
  source->subscribe({topic});
  // Wait for the group join so the measurement covers fetching, not the rebalance.
  size_t received = 0;
  while (received == 0) received = source->poll(std::chrono::milliseconds(500)).size();
  const auto start = Clock::now();
  size_t polls = 0;
  while (received < total && seconds_since(start) < 120) {
    auto batch = source->poll(std::chrono::milliseconds(500));
    ++polls;
    if (!batch.empty()) {
      received += batch.size();
      source->commit({{{topic, 0}, batch.back().offset + 1}});
    }
  }
  const double elapsed = seconds_since(start);
  EXPECT_EQ(received, total);
  std::printf(
      "consume records=%zu %.2f s  %.0f records/s  (%zu polls, each followed by a commit)\n",
      received, elapsed, received / elapsed, polls);
  RecordProperty("consume_rps", int(received / elapsed));
  source->close();
}

}  // namespace
}  // namespace streamhost::testing
