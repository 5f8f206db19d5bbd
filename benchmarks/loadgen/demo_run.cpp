#include <algorithm>
#include <cstdio>
#include <iostream>
#include <thread>

#include "proxy_clients.hpp"
#include "runs.hpp"
#include "sender.hpp"

namespace streamhost::loadgen {
namespace {

// After the first result of every focus event arrived, wait this long for the rest of each group
// (a focus event's results are produced together, so they normally arrive in the same poll).
constexpr auto kSettle = std::chrono::milliseconds(1500);

// One block per customer, departments in the order the customer visited them.
void print_table(std::vector<FocusOutcome> outcomes) {
  std::stable_sort(outcomes.begin(), outcomes.end(), [](const auto& a, const auto& b) {
    return a.focus.customer_id < b.focus.customer_id;
  });
  std::printf("\n%-10s %-9s %-8s %-10s %s\n", "customer", "category", "coupon", "prediction",
              "latency");
  std::printf("%-10s %-9s %-8s %-10s %s\n", "--------", "--------", "------", "----------",
              "-------");
  for (const auto& o : outcomes) {
    if (o.results.empty()) {
      std::printf("%-10lld %-9s %-8s %-10s %s\n", static_cast<long long>(o.focus.customer_id),
                  o.focus.category.c_str(), "-", "-", "NO RESULT");
      continue;
    }
    bool first = true;
    for (const auto& r : o.results) {
      if (first) {
        std::printf("%-10lld %-9s %-8lld %-10.4f %.0f ms\n",
                    static_cast<long long>(o.focus.customer_id), o.focus.category.c_str(),
                    static_cast<long long>(r.coupon_id), r.prediction,
                    (o.first_result_us - o.sent_us) / 1000.0);
      } else {
        std::printf("%-10s %-9s %-8lld %-10.4f\n", "", "", static_cast<long long>(r.coupon_id),
                    r.prediction);
      }
      first = false;
    }
  }
}

}  // namespace

int run_demo(const Options& options) {
  const auto plan =
      plan_focus_events(options.first_customer, options.last_customer, options.categories,
                        options.focus_per_customer, /*rotate=*/true);
  Correlator correlator(plan, options.top_n);
  const int64_t run_start = unix_now_us();
  connector::init_http_threads(4);

  std::printf("demo: %lld customer(s) enter the store and each stops in %d department(s)\n",
              static_cast<long long>(options.last_customer - options.first_customer + 1),
              options.focus_per_customer);
  std::printf("  proxy %s (%s); entry -> %s, focus -> %s, results <- %s\n",
              options.proxy_url.c_str(), options.dialect.c_str(), options.entry_topic.c_str(),
              options.focus_topic.c_str(), options.prediction_topic.c_str());
  std::fflush(stdout);

  ResultReader reader(options, correlator, run_start);
  try {
    reader.start();
  } catch (const std::exception& e) {
    std::cerr << "demo: cannot read " << options.prediction_topic << " through "
              << options.proxy_url << ": " << e.what()
              << "\n  is the stack up? manifests/local/stack up && eval \"$(manifests/local/stack "
                 "env)\"\n";
    return 2;
  }
  auto sink = connector::make_rest_proxy_sink(proxy_options(options));
  SendStats stats;
  send_entries(*sink, options, stats);
  std::atomic<bool> abort{false};
  Options sequential = options;
  sequential.producers = 1;
  sequential.batch = 1;
  sequential.rate = 0;
  send_focus_events(*sink, sequential, plan, correlator, unix_now_us(), stats, abort);
  if (stats.produce_failures > 0) {
    std::cerr << "demo: " << stats.produce_failures
              << " event(s) could not be produced: " << stats.last_error << "\n";
  }
  std::printf("  sent %llu entry and %zu focus events; waiting up to %d s for predictions\n",
              static_cast<unsigned long long>(stats.entries_sent.load()), plan.size(),
              options.drain_timeout_s);
  std::fflush(stdout);

  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(options.drain_timeout_s);
  while (std::chrono::steady_clock::now() < deadline &&
         correlator.totals().answered < plan.size()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (correlator.totals().answered == plan.size()) std::this_thread::sleep_for(kSettle);
  reader.stop();

  const auto outcomes = correlator.outcomes();
  print_table(outcomes);
  size_t missing = 0;
  for (const auto& o : outcomes) missing += o.results.empty() ? 1 : 0;
  if (missing > 0) {
    std::printf("\ndemo: FAILED: %zu of %zu focus event(s) got no prediction within %d s:\n",
                missing, outcomes.size(), options.drain_timeout_s);
    for (const auto& o : outcomes) {
      if (o.results.empty()) {
        std::printf("  customer %lld, %s\n", static_cast<long long>(o.focus.customer_id),
                    o.focus.category.c_str());
      }
    }
    std::printf(
        "  is `streamhost run -f manifests/pipelines/coupon.yaml` running on these topics"
        " (AUTO_OFFSET_RESET=earliest)? See its log and the dead-letter topic.\n");
    if (reader.poll_errors() > 0)
      std::printf("  last read error: %s\n", reader.last_error().c_str());
    return 1;
  }
  std::printf("\ndemo: OK: all %zu focus events produced predictions (%llu results)\n",
              outcomes.size(), static_cast<unsigned long long>(correlator.totals().results));
  return 0;
}

}  // namespace streamhost::loadgen
