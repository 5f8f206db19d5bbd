// Producing test input and reading pipeline output through the project's REST proxy connectors
// (the same code the host uses, but in the test process, with its own consumer group).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <streamhost/connector/rest_proxy.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "bridge_support.hpp"

namespace streamhost::e2e {

using connector::ConsumedRecord;
using connector::DeliveryResult;
using connector::OutgoingRecord;

// Produces through a test-side sink; results in order. Use ASSERT_TRUE(all_ok(...)).
class TopicWriter {
 public:
  explicit TopicWriter(const testing::StackEndpoints& stack)
      : sink_(connector::make_rest_proxy_sink(testing::stack_options(stack))) {}

  std::vector<DeliveryResult> produce(const std::string& topic,
                                      const std::vector<OutgoingRecord>& records) {
    return sink_->produce(topic, records);
  }
  // One record; returns the proxy's error text, empty when acknowledged.
  std::string produce_one(const std::string& topic, std::optional<std::string> key,
                          std::string value, std::optional<int32_t> partition = std::nullopt) {
    const auto results = sink_->produce(topic, {{std::move(key), std::move(value), partition}});
    return results.at(0).ok ? std::string() : "produce to " + topic + ": " + results[0].error;
  }

 private:
  std::unique_ptr<connector::Sink> sink_;
};

// Whether every result was acknowledged; the first failure's text otherwise.
inline ::testing::AssertionResult all_ok(const std::vector<DeliveryResult>& results) {
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok)
      return ::testing::AssertionFailure() << "record " << i << ": " << results[i].error;
  }
  return ::testing::AssertionSuccess();
}

// A checking consumer in its own group, reading the given topics from the beginning and keeping
// everything it read, each record once. It never commits: when it idles longer than the proxy keeps
// an idle instance (the local bridge's http.timeoutSeconds, 20 s; Confluent's 5 min), the source
// recreates the instance, which reads from the beginning again, and what was already kept is
// skipped.
class TopicReader {
 public:
  TopicReader(const testing::StackEndpoints& stack, const std::vector<std::string>& topics,
              const std::string& group) {
    connector::ConsumerOptions consumer;
    consumer.group = group;
    consumer.auto_offset_reset = "earliest";
    consumer.instance_prefix = "e2e-check";
    source_ = connector::make_rest_proxy_source(testing::stack_options(stack), consumer);
    source_->subscribe(topics);
  }
  ~TopicReader() { source_->close(); }

  // Reads until `done(records())` holds or `limit` passed; returns whether it held.
  bool read_until(const std::function<bool(const std::vector<ConsumedRecord>&)>& done,
                  std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done(records_)) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      poll_once();
    }
    return true;
  }
  // One poll (about half a second when nothing is there).
  void poll_once() {
    for (auto& r : source_->poll(std::chrono::milliseconds(500))) {
      if (seen_.emplace(r.topic, r.partition, r.offset).second) records_.push_back(std::move(r));
    }
  }

  const std::vector<ConsumedRecord>& records() const { return records_; }

 private:
  std::unique_ptr<connector::Source> source_;
  std::vector<ConsumedRecord> records_;
  std::set<std::tuple<std::string, int32_t, int64_t>> seen_;
};

// Records of `topic` among `records`.
inline std::vector<ConsumedRecord> of_topic(const std::vector<ConsumedRecord>& records,
                                            const std::string& topic) {
  std::vector<ConsumedRecord> out;
  for (const auto& r : records)
    if (r.topic == topic) out.push_back(r);
  return out;
}

}  // namespace streamhost::e2e
