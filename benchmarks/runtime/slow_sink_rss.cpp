// The runtime's memory under a sink that takes its time: input arrives at a fixed rate while every
// produce request takes 10 s. Runs the real runtime::Pipeline in process over a synthetic source
// (records generated from their offset, so the "Kafka log" itself costs no memory, and seekable)
// and a sink that sleeps before acknowledging, and samples the process's RSS once a second.
//
//   streamhost-slow-sink-rss [--seconds 60] [--rate 5000] [--produce-delay-ms 10000]
//                            [--max-in-flight 10000] [--max-in-flight-bytes 67108864]
//
// --max-in-flight 0 --max-in-flight-bytes 0 turns the cap off, to see what it prevents.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kPartitions = 4;

// Offsets appear at `rate` per second across the partitions; a focus-sized value per record.
class RateSource : public connector::Source {
 public:
  explicit RateSource(double rate) : rate_(rate), start_(Clock::now()) {}

  void subscribe(const std::vector<std::string>&) override { generation_ = 1; }

  std::vector<ConsumedRecord> poll(std::chrono::milliseconds) override {
    std::vector<ConsumedRecord> out;
    {
      std::lock_guard lock(mutex_);
      const auto elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
      const auto end = static_cast<int64_t>(elapsed * rate_ / kPartitions);
      for (int p = 0; p < kPartitions; ++p) {
        int64_t& next = position_[p];
        for (int n = 0; next < end && n < 500; ++n, ++next) out.push_back(record(p, next));
      }
      ++polls_;
    }
    if (out.empty()) std::this_thread::sleep_for(10ms);
    return out;
  }

  void commit(const std::vector<connector::PartitionOffset>& offsets) override {
    std::lock_guard lock(mutex_);
    for (const auto& o : offsets) committed_[o.partition.partition] = o.next_offset;
  }
  void seek(const TopicPartition& tp, int64_t next_offset) override {
    std::lock_guard lock(mutex_);
    position_[tp.partition] = next_offset;
    ++seeks_;
  }
  void close() noexcept override {}
  uint64_t generation() const override { return generation_; }
  connector::ConnectorStats stats() const override { return {}; }

  int64_t arrived() const {
    const auto elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    return static_cast<int64_t>(elapsed * rate_ / kPartitions) * kPartitions;
  }
  int64_t committed_total() const {
    std::lock_guard lock(mutex_);
    int64_t sum = 0;
    for (const auto& [p, next] : committed_) sum += next;
    return sum;
  }
  uint64_t seeks() const {
    std::lock_guard lock(mutex_);
    return seeks_;
  }

 private:
  static ConsumedRecord record(int p, int64_t offset) {
    const std::string id = std::to_string(offset * kPartitions + p);
    std::string value =
        R"({"event_type":"customer focus","event_timestamp":"2026-12-02T08:00:00Z",)"
        R"("payload":{"customer_id":)" +
        id + R"(,"category":"Women"}})";
    value.resize(300, ' ');
    return make_record("in", p, offset, id, value);
  }

  double rate_;
  Clock::time_point start_;
  mutable std::mutex mutex_;
  std::map<int, int64_t> position_;
  std::map<int, int64_t> committed_;
  uint64_t polls_ = 0;
  uint64_t seeks_ = 0;
  uint64_t generation_ = 0;
};

// Acknowledges everything, `delay` after being asked.
class SlowSink : public connector::Sink {
 public:
  explicit SlowSink(std::chrono::milliseconds delay) : delay_(delay) {}
  std::vector<connector::DeliveryResult> produce(
      const std::string&, const std::vector<connector::OutgoingRecord>& records) override {
    std::this_thread::sleep_for(delay_);
    acknowledged_ += records.size();
    return std::vector<connector::DeliveryResult>(records.size(), {true, false, 0, 0, ""});
  }
  connector::ConnectorStats stats() const override { return {}; }
  uint64_t acknowledged() const { return acknowledged_.load(); }

 private:
  std::chrono::milliseconds delay_;
  std::atomic<uint64_t> acknowledged_{0};
};

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

int64_t flag(int argc, char** argv, const std::string& name, int64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return std::strtoll(argv[i + 1], nullptr, 10);
  }
  return fallback;
}

int run(int argc, char** argv) {
  const int64_t seconds = flag(argc, argv, "--seconds", 60);
  const int64_t rate = flag(argc, argv, "--rate", 5000);
  const int64_t delay_ms = flag(argc, argv, "--produce-delay-ms", 10000);
  const int64_t cap = flag(argc, argv, "--max-in-flight", 10000);
  const int64_t cap_bytes = flag(argc, argv, "--max-in-flight-bytes", int64_t{64} << 20);

  // Five prediction-sized outputs per record, as the coupon plugin's focus handler emits.
  TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
    for (int i = 0; i < 5; ++i) out.emit(std::string(in.value()).substr(0, 250), in.key());
    return sp::Outcome::ok();
  });
  RateSource source(static_cast<double>(rate));
  SlowSink sink{std::chrono::milliseconds(delay_ms)};
  metrics::Registry registry;
  runtime::PipelineOptions options;
  options.workers = 2;
  options.dead_letter_topic = "dlq";
  options.max_in_flight_records = static_cast<size_t>(cap);
  options.max_in_flight_bytes = static_cast<size_t>(cap_bytes);
  options.shutdown_timeout = 0ms;
  runtime::Pipeline pipeline(source, sink, {plugin.route("r", "in", "out")}, options, registry);
  std::thread thread([&] { pipeline.run(); });

  std::printf("rate %lld/s, produce takes %lld ms, cap %lld records / %lld bytes, %lld s\n",
              static_cast<long long>(rate), static_cast<long long>(delay_ms),
              static_cast<long long>(cap), static_cast<long long>(cap_bytes),
              static_cast<long long>(seconds));
  std::printf("%4s %9s %9s %9s %9s %6s\n", "s", "arrived", "in_flight", "committed", "rss_MiB",
              "capped");
  long max_rss = 0;
  for (int64_t s = 1; s <= seconds; ++s) {
    std::this_thread::sleep_for(1s);
    const long rss = rss_kib();
    max_rss = std::max(max_rss, rss);
    const auto health = pipeline.health();
    std::printf("%4lld %9lld %9zu %9lld %9.1f %6s\n", static_cast<long long>(s),
                static_cast<long long>(source.arrived()), health.in_flight,
                static_cast<long long>(source.committed_total()), rss / 1024.0,
                health.backpressure ? "yes" : "no");
    std::fflush(stdout);
  }
  std::printf("max RSS %.1f MiB; %llu outputs acknowledged; %llu seeks\n", max_rss / 1024.0,
              static_cast<unsigned long long>(sink.acknowledged()),
              static_cast<unsigned long long>(source.seeks()));
  std::fflush(stdout);
  // The sink may be mid-sleep: leave without waiting for it, the figures are printed.
  std::_Exit(0);
}

}  // namespace
}  // namespace streamhost::host::testing

int main(int argc, char** argv) {
  return streamhost::host::testing::run(argc, argv);
}
