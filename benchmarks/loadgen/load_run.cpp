#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "events.hpp"
#include <streamhost/latency/svg.hpp>
#include "proxy_clients.hpp"
#include "report.hpp"
#include "runs.hpp"
#include "sender.hpp"

namespace streamhost::loadgen {
namespace {

bool write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  return static_cast<bool>(out);
}

bool on_path(const char* tool) {
  const std::string check = std::string("command -v ") + tool + " >/dev/null 2>&1";
  return std::system(check.c_str()) == 0;
}

// A PNG next to the SVG for people whose viewer has no SVG: rsvg-convert, else ImageMagick.
void write_png(const std::string& svg_path, const std::string& png_path) {
  std::string command;
  if (on_path("rsvg-convert")) {
    command = "rsvg-convert -b white -o '" + png_path + "' '" + svg_path + "'";
  } else if (on_path("convert")) {
    command = "convert '" + svg_path + "' '" + png_path + "'";
  } else {
    std::cerr << "loadgen: no rsvg-convert or convert on PATH, PNG skipped (apt package "
                 "librsvg2-bin)\n";
    return;
  }
  if (std::system(command.c_str()) != 0) std::cerr << "loadgen: PNG conversion failed\n";
}

class Progress {
 public:
  Progress(Correlator& correlator, const std::atomic<bool>& done)
      : correlator_(correlator), done_(done), thread_([this] { run(); }) {}
  ~Progress() { thread_.join(); }

 private:
  void run() {
    uint64_t last_sent = 0, last_answered = 0;
    int seconds = 0;
    while (!done_) {
      for (int i = 0; i < 10 && !done_; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      ++seconds;
      const auto totals = correlator_.totals();
      const LatencyHistogram interval = correlator_.take_interval();
      std::fprintf(stderr,
                   "[%3ds] sent %llu (%llu/s)  received %llu (%llu/s)  p99 this second %.1f ms\n",
                   seconds, static_cast<unsigned long long>(totals.sent),
                   static_cast<unsigned long long>(totals.sent - last_sent),
                   static_cast<unsigned long long>(totals.answered),
                   static_cast<unsigned long long>(totals.answered - last_answered),
                   interval.value_at_percentile(99) / 1000.0);
      last_sent = totals.sent;
      last_answered = totals.answered;
    }
  }

  Correlator& correlator_;
  const std::atomic<bool>& done_;
  std::thread thread_;
};

}  // namespace

int run_load(const Options& options) {
  const auto plan =
      plan_focus_events(options.first_customer, options.last_customer, options.categories,
                        options.focus_per_customer, /*rotate=*/false);
  Correlator correlator(plan, options.top_n);
  const int64_t run_start = unix_now_us();
  const int64_t hard_deadline = run_start + int64_t{options.max_duration_s} * 1000000;
  connector::init_http_threads(static_cast<size_t>(options.producers) + 2);

  ResultReader reader(options, correlator, run_start);
  auto sink = connector::make_rest_proxy_sink(proxy_options(options));
  try {
    reader.start();
  } catch (const std::exception& e) {
    std::cerr << "loadgen: cannot read " << options.prediction_topic << " through "
              << options.proxy_url << ": " << e.what() << "\n";
    return 2;
  }
  std::fprintf(
      stderr, "loadgen: %zu focus events for customers %lld-%lld, %s\n", plan.size(),
      static_cast<long long>(options.first_customer), static_cast<long long>(options.last_customer),
      options.rate > 0 ? ("at " + std::to_string(static_cast<int>(options.rate)) + "/s").c_str()
                       : "as fast as possible");

  SendStats stats;
  send_entries(*sink, options, stats);
  std::atomic<bool> abort{false}, done{false};
  const int64_t focus_start = unix_now_us() + 100000;
  RunSummary summary;
  summary.started_at = iso8601_millis(focus_start);
  {
    Progress progress(correlator, done);
    std::thread deadline([&] {
      while (!done && unix_now_us() < hard_deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      abort = true;
    });
    send_focus_events(*sink, options, plan, correlator, focus_start, stats, abort);
    const int64_t drain_deadline =
        std::min(hard_deadline, unix_now_us() + int64_t{options.drain_timeout_s} * 1000000);
    while (unix_now_us() < drain_deadline) {
      const auto t = correlator.totals();
      if (t.answered + stats.produce_failures >= t.sent) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    done = true;
    deadline.join();
  }
  reader.stop();

  const auto outcomes = correlator.outcomes();
  int64_t last_answer = focus_start;
  for (const auto& o : outcomes) {
    if (o.sent_us >= 0 && o.first_result_us < 0) ++summary.missing;
    last_answer = std::max(last_answer, o.first_result_us);
  }
  summary.entries_sent = stats.entries_sent;
  summary.produce_failures = stats.produce_failures;
  summary.last_produce_error = stats.last_error;
  summary.totals = correlator.totals();
  summary.stale = reader.stale();
  summary.malformed = reader.malformed();
  summary.send_seconds = std::max<int64_t>(stats.last_send_us - focus_start, 1) / 1e6;
  summary.elapsed_seconds = std::max<int64_t>(last_answer - focus_start, 1) / 1e6;
  summary.send_rate = summary.totals.sent / summary.send_seconds;
  summary.answer_rate = summary.totals.answered / summary.elapsed_seconds;
  summary.corrected = correlator.corrected();
  summary.uncorrected = correlator.uncorrected();
  if (reader.poll_errors() > 0) {
    std::cerr << "loadgen: " << reader.poll_errors()
              << " poll error(s) reading results, last: " << reader.last_error() << "\n";
  }

  std::cout << report_text(summary);
  if (!options.report_path.empty()) {
    if (!write_file(options.report_path, report_json(options, summary))) {
      std::cerr << "loadgen: cannot write " << options.report_path << "\n";
    }
  }
  if (!options.svg_path.empty()) {
    char subtitle[256];
    std::snprintf(
        subtitle, sizeof subtitle,
        "%llu focus events, %.0f/s answered (target %s); p50 %.1f ms, p99 %.1f ms, max "
        "%.1f ms; %s",
        static_cast<unsigned long long>(summary.corrected.count()), summary.answer_rate,
        options.rate > 0 ? (std::to_string(static_cast<int>(options.rate)) + "/s").c_str() : "max",
        summary.corrected.value_at_percentile(50) / 1000.0,
        summary.corrected.value_at_percentile(99) / 1000.0, summary.corrected.max() / 1000.0,
        summary.started_at.c_str());
    const std::string svg =
        latency::latency_svg(summary.corrected, summary.uncorrected,
                    "streamhost coupon pipeline: focus event to prediction", subtitle);
    if (write_file(options.svg_path, svg) && !options.png_path.empty()) {
      write_png(options.svg_path, options.png_path);
    }
  }
  return summary.missing == 0 && summary.produce_failures == 0 ? 0 : 1;
}

}  // namespace streamhost::loadgen
