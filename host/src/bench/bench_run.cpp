#include "bench/bench_run.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "runtime/handler_call.hpp"
#include "runtime/worker_pool.hpp"

namespace streamhost::host::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxDistinctReasons = 20;

int64_t ns_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
}

double cpu_seconds_now() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void merge_into(RouteResult& total, const RouteResult& part) {
  total.records += part.records;
  total.ok += part.ok;
  total.reject += part.reject;
  total.retry += part.retry;
  total.fatal += part.fatal;
  total.outputs += part.outputs;
  total.handler_ns.merge(part.handler_ns);
  total.latency_ns.merge(part.latency_ns);
  total.uncorrected_ns.merge(part.uncorrected_ns);
  total.round_samples_ns.insert(total.round_samples_ns.end(), part.round_samples_ns.begin(),
                                part.round_samples_ns.end());
  for (const auto& [reason, n] : part.reasons) {
    if (total.reasons.size() < kMaxDistinctReasons || total.reasons.contains(reason)) {
      total.reasons[reason] += n;
    }
  }
}

std::vector<RouteResult> empty_results(const std::vector<runtime::Route>& routes) {
  std::vector<RouteResult> out(routes.size());
  for (size_t i = 0; i < routes.size(); ++i) {
    out[i].route = routes[i].name;
    out[i].handler = routes[i].plugin_name() + "/" + routes[i].handler_name();
  }
  return out;
}

// The median (the mean of the two middle values for an even count); reorders `values`.
double median_of(std::vector<int64_t>& values) {
  const size_t n = values.size();
  auto upper = values.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(values.begin(), upper, values.end());
  if (n % 2 == 1) return static_cast<double>(*upper);
  const int64_t lower = *std::max_element(values.begin(), upper);
  return (static_cast<double>(lower) + static_cast<double>(*upper)) / 2;
}

}  // namespace

// Worker threads with one queue each; a record goes to the worker the runtime would pick.
class WorkerThreads {
 public:
  struct Item {
    connector::ConsumedRecord record;
    size_t route = 0;
    Clock::time_point intended;
    Clock::time_point dispatched;
  };

  WorkerThreads(size_t workers, size_t max_queued) : max_queued_(max_queued) {
    for (size_t i = 0; i < workers; ++i) workers_.push_back(std::make_unique<Worker>());
    for (auto& w : workers_) {
      w->thread = std::thread([this, worker = w.get()] { run(*worker); });
    }
  }

  // The routes of the next rounds; only while idle.
  void bind(const std::vector<runtime::Route>& routes) {
    routes_ = &routes;
    for (auto& w : workers_) w->results = empty_results(routes);
  }

  ~WorkerThreads() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    for (auto& w : workers_) w->wake.notify_all();
    for (auto& w : workers_) w->thread.join();
  }

  // Blocks while max_queued records wait (0: never).
  void submit(Item item, bool measure) {
    Worker& w = *workers_[runtime::WorkerPool::worker_for(item.record, workers_.size())];
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return max_queued_ == 0 || queued_ < max_queued_; });
    ++queued_;
    ++pending_;
    item.dispatched = Clock::now();
    w.queue.push_back({std::move(item), measure});
    lock.unlock();
    w.wake.notify_one();
  }

  void wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return pending_ == 0; });
  }

  bool fatal_seen() const { return fatal_seen_.load(); }

  // What the workers recorded since the last call; call only when idle.
  std::vector<RouteResult> take(std::string& first_fatal) {
    std::vector<RouteResult> merged = empty_results(*routes_);
    for (auto& w : workers_) {
      for (size_t r = 0; r < merged.size(); ++r) merge_into(merged[r], w->results[r]);
      w->results = empty_results(*routes_);
      if (first_fatal.empty()) first_fatal = w->first_fatal;
      w->first_fatal.clear();  // the next runner's rounds start with none
    }
    return merged;
  }

 private:
  struct Worker {
    std::thread thread;
    std::condition_variable wake;
    std::deque<std::pair<Item, bool>> queue;  // guarded by WorkerThreads::mutex_
    std::vector<RouteResult> results;         // this thread's alone until take()
    std::string first_fatal;
  };

  void run(Worker& w) {
    std::unique_lock lock(mutex_);
    for (;;) {
      w.wake.wait(lock, [&] { return stopping_ || !w.queue.empty(); });
      if (w.queue.empty()) return;
      auto [item, measure] = std::move(w.queue.front());
      w.queue.pop_front();
      --queued_;
      lock.unlock();
      room_.notify_one();
      if (!fatal_seen_.load()) handle(w, item, measure);
      lock.lock();
      if (--pending_ == 0) idle_.notify_all();
    }
  }

  void handle(Worker& w, const Item& item, bool measure) {
    const runtime::Route& route = (*routes_)[item.route];
    const HandlerResult result = runtime::call_handler(route, item.record);
    const Clock::time_point done = Clock::now();
    if (result.status == SH_STATUS_FATAL) {
      if (w.first_fatal.empty()) w.first_fatal = route.name + ": " + result.reason;
      fatal_seen_ = true;
    }
    if (!measure) return;
    RouteResult& r = w.results[item.route];
    ++r.records;
    switch (result.status) {
      case SH_STATUS_OK:
        ++r.ok;
        r.outputs += result.outputs.size();
        break;
      case SH_STATUS_REJECT:
        ++r.reject;
        break;
      case SH_STATUS_RETRY:
        ++r.retry;
        break;
      default:
        ++r.fatal;
        break;
    }
    if (result.status != SH_STATUS_OK &&
        (r.reasons.size() < kMaxDistinctReasons || r.reasons.contains(result.reason))) {
      ++r.reasons[result.reason];
    }
    const auto handler_ns = static_cast<int64_t>(result.seconds * 1e9);
    r.handler_ns.record(handler_ns);
    r.round_samples_ns.push_back(handler_ns);
    r.latency_ns.record(ns_between(item.intended, done));
    r.uncorrected_ns.record(ns_between(item.dispatched, done));
  }

  const std::vector<runtime::Route>* routes_ = nullptr;
  const size_t max_queued_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex mutex_;
  std::condition_variable room_, idle_;
  size_t queued_ = 0, pending_ = 0;
  bool stopping_ = false;
  std::atomic<bool> fatal_seen_{false};
};

std::shared_ptr<WorkerThreads> make_worker_threads(const BenchOptions& options) {
  return std::make_shared<WorkerThreads>(std::max<size_t>(options.workers, 1),
                                         options.rate > 0 ? 0 : options.max_queued);
}

BenchRunner::BenchRunner(const std::vector<runtime::Route>& routes, BenchOptions options,
                         std::shared_ptr<WorkerThreads> threads)
    : routes_(routes),
      options_(options),
      pool_(threads ? std::move(threads) : make_worker_threads(options)),
      per_route_(empty_results(routes)) {}

BenchRunner::~BenchRunner() = default;

void BenchRunner::run_round(const RecordSource& source, uint64_t first_seq, size_t n,
                            bool measure) {
  pool_->bind(routes_);
  // Timer slack (50 µs by default) would make every paced dispatch late by tens of µs, which the
  // coordinated-omission correction would count as latency: ask for the finest the kernel gives.
  if (options_.rate > 0) prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  const double cpu_before = cpu_seconds_now();
  const Clock::time_point start = Clock::now();
  // A continuous schedule runs on across measured rounds: a round that ends late (draining a
  // queue the handler could not keep up with) leaves the next round's records late, and that
  // lateness is latency, as it would be for the records of a real stream.
  const bool continuous = measure && options_.continuous_schedule;
  if (continuous && scheduled_ == 0) schedule_start_ = start;
  const Clock::time_point schedule_start = continuous ? schedule_start_ : start;
  const uint64_t schedule_offset = continuous ? scheduled_ : 0;
  size_t sent = 0;
  for (size_t i = 0; i < n && !pool_->fatal_seen() && result_.first_fatal.empty(); ++i) {
    WorkerThreads::Item item;
    auto route = source(first_seq + i, item.record);
    if (!route) {
      if (measure) ++result_.unrouted;
      continue;
    }
    item.route = *route;
    if (options_.rate > 0) {
      item.intended = schedule_start +
                      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                          static_cast<double>(schedule_offset + sent) / options_.rate));
      std::this_thread::sleep_until(item.intended);
    } else {
      item.intended = Clock::now();
    }
    ++sent;
    pool_->submit(std::move(item), measure);
  }
  pool_->wait_idle();
  if (continuous) scheduled_ += sent;
  const Clock::time_point end = Clock::now();
  std::vector<RouteResult> round = pool_->take(result_.first_fatal);
  if (!measure) return;
  result_.elapsed_seconds += std::chrono::duration<double>(end - start).count();
  result_.cpu_seconds += cpu_seconds_now() - cpu_before;
  for (size_t r = 0; r < round.size(); ++r) {
    if (round[r].records == 0) continue;
    per_route_[r].round_median_ns.push_back(median_of(round[r].round_samples_ns));
    round[r].round_samples_ns.clear();
    merge_into(per_route_[r], round[r]);
  }
}

BenchResult BenchRunner::take_result() {
  BenchResult out = std::move(result_);
  uint64_t records = 0;
  for (auto& r : per_route_) {
    if (r.records == 0) continue;
    records += r.records;
    out.routes.push_back(std::move(r));
  }
  out.records_per_second = out.elapsed_seconds > 0 ? records / out.elapsed_seconds : 0;
  out.peak_rss_kib = peak_rss_kib();
  per_route_ = empty_results(routes_);
  result_ = {};
  return out;
}

bool BenchRunner::fatal_seen() const {
  return !result_.first_fatal.empty();
}

BenchResult run_bench(const std::vector<runtime::Route>& routes, const RecordSource& source,
                      const BenchOptions& options) {
  BenchRunner runner(routes, options);
  uint64_t seq = 0;
  if (options.warmup > 0) {
    runner.run_round(source, seq, options.warmup, false);
    seq += options.warmup;
  }
  const size_t rounds = std::max<size_t>(1, std::min(options.rounds, options.count));
  for (size_t i = 0; i < rounds; ++i) {
    // Rounds split the count as evenly as it divides.
    const size_t n = options.count * (i + 1) / rounds - options.count * i / rounds;
    runner.run_round(source, seq, n, true);
    seq += n;
    if (runner.fatal_seen()) break;
  }
  return runner.take_result();
}

}  // namespace streamhost::host::bench
