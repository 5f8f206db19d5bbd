// In-process doubles for the runtime's unit tests: a Source that behaves like a Kafka partition log
// (positions, seek, commit, recreation), a Sink that records what it produced and can fail on
// demand, a clock that jumps to each deadline, and test plugins built with plugin.hpp whose handler
// behaviour each test supplies. The end-to-end path with the real bridge is tested elsewhere.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <streamhost/connector/errors.hpp>
#include <streamhost/connector/sink.hpp>
#include <streamhost/connector/source.hpp>
#include <streamhost/plugin.hpp>
#include <string>
#include <thread>
#include <vector>

#include "metrics/registry.hpp"
#include "plugin/plugin_handle.hpp"
#include "runtime/clock.hpp"
#include "runtime/pipeline.hpp"
#include "runtime/route.hpp"

namespace streamhost::host::testing {

namespace sp = streamhost::plugin;
using connector::ConsumedRecord;
using connector::TopicPartition;

inline ConsumedRecord make_record(std::string topic, int32_t partition, int64_t offset,
                                  std::optional<std::string> key, std::string value) {
  ConsumedRecord r;
  r.topic = std::move(topic);
  r.partition = partition;
  r.offset = offset;
  r.key = std::move(key);
  r.value = std::move(value);
  r.timestamp_ms = 1700000000000 + offset;
  return r;
}

// A Kafka-like log per partition. poll() returns what lies past each partition's position;
// recreate() mimics the proxy losing the consumer instance: positions go back to the committed
// offsets and generation() grows.
class FakeSource : public connector::Source {
 public:
  // Appends records to their partitions' logs (offsets taken from the records).
  void append(std::vector<ConsumedRecord> records) {
    std::lock_guard lock(mutex_);
    for (auto& r : records) log_[{r.topic, r.partition}].push_back(std::move(r));
    cv_.notify_all();
  }
  // The next poll throws `error` (for TransientError / PermanentError tests).
  void fail_next_poll(std::function<void()> thrower) {
    std::lock_guard lock(mutex_);
    poll_failures_.push_back(std::move(thrower));
  }
  void recreate_on_next_poll() {
    std::lock_guard lock(mutex_);
    recreate_pending_ = true;
  }
  void fail_commits(bool fail) { fail_commits_.store(fail); }
  // What assignment() reports; nullopt (the default) is a source that cannot tell.
  void set_assignment(std::optional<std::vector<TopicPartition>> assigned) {
    std::lock_guard lock(mutex_);
    assignment_ = std::move(assigned);
  }
  std::optional<std::vector<TopicPartition>> assignment() override {
    std::lock_guard lock(mutex_);
    auto listed = assignment_;
    if (rebalance_pending_) {
      assignment_ = std::move(*rebalance_pending_);
      rebalance_pending_.reset();
      fenced_ = true;
    }
    return listed;
  }
  // A rebalance that completes right after the next assignment listing, which still shows the old
  // assignment. As in Kafka, the consumer keeps its old generation until it rejoins in its next
  // poll, and the group coordinator refuses commits of a stale generation; from then on the
  // listing shows `after`.
  void rebalance_after_next_listing(std::vector<TopicPartition> after) {
    std::lock_guard lock(mutex_);
    rebalance_pending_ = std::move(after);
  }

  void subscribe(const std::vector<std::string>& topics) override {
    std::lock_guard lock(mutex_);
    subscribed_ = topics;
    ++generation_;
  }

  std::vector<ConsumedRecord> poll(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mutex_);
    ++polls_;
    fenced_ = false;  // rejoined the group
    if (!poll_failures_.empty()) {
      auto thrower = std::move(poll_failures_.front());
      poll_failures_.pop_front();
      lock.unlock();
      thrower();
      return {};
    }
    if (recreate_pending_) {
      recreate_pending_ = false;
      position_.clear();
      for (auto& [tp, next] : committed_) position_[tp] = next;
      ++generation_;
    }
    auto ready = [&] {
      for (auto& [tp, records] : log_) {
        if (position_[tp] < static_cast<int64_t>(records.size())) return true;
      }
      return false;
    };
    cv_.wait_for(lock, std::min(timeout, std::chrono::milliseconds(20)), ready);
    std::vector<ConsumedRecord> out;
    for (auto& [tp, records] : log_) {
      auto& pos = position_[tp];
      // Offsets equal indexes in these logs.
      while (pos < static_cast<int64_t>(records.size()) && out.size() < max_batch_) {
        out.push_back(records[static_cast<size_t>(pos++)]);
      }
    }
    return out;
  }

  void commit(const std::vector<connector::PartitionOffset>& offsets) override {
    if (fail_commits_.load()) throw connector::TransientError("commit refused by the test");
    std::lock_guard lock(mutex_);
    if (fenced_) {
      throw connector::TransientError(
          "commit refused: the consumer's generation is stale (a rebalance completed)");
    }
    for (const auto& o : offsets) {
      committed_[o.partition] = o.next_offset;
      commit_history_.push_back(o);
    }
  }

  void seek(const TopicPartition& partition, int64_t next_offset) override {
    std::lock_guard lock(mutex_);
    position_[partition] = next_offset;
    seeks_.push_back({partition, next_offset});
  }

  void close() noexcept override { closed_.store(true); }
  uint64_t generation() const override {
    std::lock_guard lock(mutex_);
    return generation_;
  }
  connector::ConnectorStats stats() const override { return {}; }

  std::optional<int64_t> committed(const TopicPartition& tp) const {
    std::lock_guard lock(mutex_);
    auto it = committed_.find(tp);
    if (it == committed_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<connector::PartitionOffset> commit_history() const {
    std::lock_guard lock(mutex_);
    return commit_history_;
  }
  std::vector<connector::PartitionOffset> seeks() const {
    std::lock_guard lock(mutex_);
    return seeks_;
  }
  std::vector<std::string> subscribed() const {
    std::lock_guard lock(mutex_);
    return subscribed_;
  }
  bool closed() const { return closed_.load(); }
  uint64_t polls() const {
    std::lock_guard lock(mutex_);
    return polls_;
  }
  size_t max_batch_ = 50;

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<TopicPartition, std::vector<ConsumedRecord>> log_;
  std::map<TopicPartition, int64_t> position_;
  std::map<TopicPartition, int64_t> committed_;
  std::vector<connector::PartitionOffset> commit_history_;
  std::optional<std::vector<TopicPartition>> rebalance_pending_;
  bool fenced_ = false;
  std::vector<connector::PartitionOffset> seeks_;
  std::vector<std::string> subscribed_;
  std::deque<std::function<void()>> poll_failures_;
  std::optional<std::vector<TopicPartition>> assignment_;
  bool recreate_pending_ = false;
  uint64_t generation_ = 0;
  uint64_t polls_ = 0;
  std::atomic<bool> fail_commits_{false};
  std::atomic<bool> closed_{false};
};

struct Produced {
  std::string topic;
  std::optional<std::string> key;
  std::string value;
};

// Records every acknowledged record; `decide` (when set) may fail a record instead.
class FakeSink : public connector::Sink {
 public:
  using Decide = std::function<std::optional<connector::DeliveryResult>(
      const std::string& topic, const connector::OutgoingRecord& record)>;

  void set_decide(Decide d) {
    std::lock_guard lock(mutex_);
    decide_ = std::move(d);
  }

  // While held, produce() waits (a sink that takes its time, or hangs) until released.
  void hold(bool held) {
    std::lock_guard lock(mutex_);
    held_ = held;
    released_.notify_all();
  }

  std::vector<connector::DeliveryResult> produce(
      const std::string& topic, const std::vector<connector::OutgoingRecord>& records) override {
    std::unique_lock lock(mutex_);
    released_.wait(lock, [&] { return !held_; });
    ++requests_;
    std::vector<connector::DeliveryResult> results;
    for (const auto& r : records) {
      if (decide_) {
        if (auto failed = decide_(topic, r)) {
          results.push_back(*failed);
          continue;
        }
      }
      produced_.push_back({topic, r.key, r.value});
      results.push_back({true, false, 0, static_cast<int64_t>(produced_.size() - 1), ""});
    }
    return results;
  }
  connector::ConnectorStats stats() const override { return {}; }

  std::vector<Produced> produced() const {
    std::lock_guard lock(mutex_);
    return produced_;
  }
  std::vector<Produced> produced_to(const std::string& topic) const {
    std::vector<Produced> out;
    for (auto& p : produced()) {
      if (p.topic == topic) out.push_back(p);
    }
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable released_;
  bool held_ = false;
  Decide decide_;
  std::vector<Produced> produced_;
  uint64_t requests_ = 0;
};

// Whether a record in RETRY ever paused its partition, read from the pipeline's own gauge and
// latched (the partition resumes between attempts): what test sources wait for before serving the
// reads that must arrive while the partition is paused.
class RetryPauseWatch {
 public:
  explicit RetryPauseWatch(metrics::Registry& registry)
      : paused_partitions_(registry.gauge("streamhost_paused_partitions",
                                          "Partitions paused by a record in RETRY")) {}
  bool seen() {
    if (paused_partitions_.value() > 0) seen_.store(true);
    return seen_.load();
  }

 private:
  metrics::Gauge& paused_partitions_;
  std::atomic<bool> seen_{false};
};

// Jumps straight to every deadline it is asked to wait for (after yielding briefly in real time),
// so backoff delays cost no real time and tests check the delays themselves, never elapsed time.
class JumpingClock : public runtime::Clock {
 public:
  time_point now() const override { return time_point(duration(now_.load())); }
  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  time_point deadline) override {
    auto target = deadline.time_since_epoch().count();
    auto current = now_.load();
    while (current < target && !now_.compare_exchange_weak(current, target)) {
    }
    cv.wait_for(lock, std::chrono::milliseconds(1));
  }

 private:
  std::atomic<duration::rep> now_{1};
};

// What a test handler does with each record.
using Behaviour = std::function<sp::Outcome(const sp::Record&, sp::Emitter&)>;

// A plugin built with plugin.hpp exactly as a real one is; its config carries the address of the
// test's Behaviour (only possible because it is compiled into the test, never across dlopen).
class TestPlugin {
 public:
  TestPlugin(sp::Host, std::string_view config)
      : behaviour_(reinterpret_cast<Behaviour*>(std::stoull(std::string(config)))) {}
  sp::Outcome handle(const sp::Record& in, sp::Emitter& out) { return (*behaviour_)(in, out); }
  bool ready(std::string& why) {
    if (not_ready_reason().empty()) return true;
    why = not_ready_reason();
    return false;
  }
  static std::string& not_ready_reason() {
    static std::string reason;
    return reason;
  }

 private:
  Behaviour* behaviour_;
};

inline constexpr sh_handler_def kTestHandlers[] = {
    sp::handler<&TestPlugin::handle>({.name = "handle",
                                      .emits = sp::Emits::to_output_topic,
                                      .description = "runs the test's behaviour"})};

inline const sh_plugin_descriptor& test_descriptor() {
  static const sh_plugin_descriptor d = sp::describe<TestPlugin>({.name = "testplugin",
                                                                  .version = "9.8.7",
                                                                  .description = "test plugin",
                                                                  .handlers = kTestHandlers});
  return d;
}

// A created TestPlugin instance behind the PluginInstance interface the runtime uses.
class TestPluginInstance : public PluginInstance {
 public:
  explicit TestPluginInstance(Behaviour behaviour, std::string name = "testplugin")
      : name_(std::move(name)), behaviour_(std::make_unique<Behaviour>(std::move(behaviour))) {
    std::string config = std::to_string(reinterpret_cast<uintptr_t>(behaviour_.get()));
    char err[256] = {};
    instance_ = test_descriptor().instance_create(nullptr, config.c_str(), err, sizeof err);
  }
  ~TestPluginInstance() override { test_descriptor().instance_destroy(instance_); }

  const std::string& name() const override { return name_; }
  const sh_plugin_descriptor& descriptor() const override { return test_descriptor(); }
  void* instance() const override { return instance_; }
  const sh_handler_def* find_handler(const std::string& handler) const override {
    return handler == "handle" ? &kTestHandlers[0] : nullptr;
  }
  bool ready(std::string& why) const override {
    char msg[256] = {};
    if (test_descriptor().instance_ready(instance_, msg, sizeof msg) == 1) return true;
    why = msg;
    return false;
  }

  runtime::Route route(std::string name, std::string source_topic,
                       std::optional<std::string> output_topic) const {
    return runtime::Route{std::move(name), std::move(source_topic), std::move(output_topic),
                          HandlerRef{this, &kTestHandlers[0]}, std::nullopt};
  }

 private:
  std::string name_;
  std::unique_ptr<Behaviour> behaviour_;
  void* instance_ = nullptr;
};

// Polls `condition` until it holds or about 10 s pass (a hang guard, not a speed assertion).
inline bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 2000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

// One worker, a commit whenever the watermark moves, fast backoff and retries without limit (the
// test decides when a retry succeeds): the options of the seek tests.
inline runtime::PipelineOptions single_worker_retrying_options(JumpingClock& clock) {
  runtime::PipelineOptions o;
  o.workers = 1;
  o.clock = &clock;
  o.commit_interval = std::chrono::milliseconds(0);
  o.dead_letter_topic = "dlq";
  o.retry.initial_backoff = std::chrono::milliseconds(10);
  o.retry.max_backoff = std::chrono::milliseconds(40);
  o.retry.max_attempts = 0;
  return o;
}

// Runs a Pipeline on its own thread over a FakeSource and FakeSink with a JumpingClock.
struct PipelineHarness {
  FakeSource source;
  FakeSink sink;
  metrics::Registry registry;
  JumpingClock clock;
  std::unique_ptr<runtime::Pipeline> pipeline;
  std::thread thread;
  runtime::PipelineResult result;
  std::atomic<bool> finished{false};

  runtime::PipelineOptions options(size_t workers = 2) {
    runtime::PipelineOptions o;
    o.workers = workers;
    o.clock = &clock;
    o.commit_interval = std::chrono::milliseconds(0);  // commit whenever the watermark moves
    o.dead_letter_topic = "dlq";
    o.retry = RetrySpec{std::chrono::milliseconds(10), std::chrono::milliseconds(40), 2.0, 0.0};
    // The jumping clock makes backoffs instant: tests of the retry limit set their own.
    o.retry.max_attempts = 0;
    o.produce_retry =
        RetrySpec{std::chrono::milliseconds(5), std::chrono::milliseconds(20), 2.0, 0.0};
    return o;
  }
  void start(std::vector<runtime::Route> routes, runtime::PipelineOptions o) {
    pipeline = std::make_unique<runtime::Pipeline>(source, sink, std::move(routes), std::move(o),
                                                   registry);
    thread = std::thread([this] {
      result = pipeline->run();
      finished.store(true);
    });
  }
  runtime::PipelineResult stop() {
    if (pipeline) pipeline->request_stop();
    return join();
  }
  runtime::PipelineResult join() {
    if (thread.joinable()) thread.join();
    return result;
  }
  ~PipelineHarness() { stop(); }
};

}  // namespace streamhost::host::testing
