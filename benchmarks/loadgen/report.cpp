#include "report.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cstdio>
#include <fstream>
#include <thread>

namespace streamhost::loadgen {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

constexpr double kPercentiles[] = {50, 90, 99, 99.9};

double ms(int64_t us) {
  return static_cast<double>(us) / 1000.0;
}

void write_latency(Writer& w, const LatencyHistogram& h) {
  w.StartObject();
  w.Key("count");
  w.Uint64(h.count());
  w.Key("p50_ms");
  w.Double(ms(h.value_at_percentile(50)));
  w.Key("p90_ms");
  w.Double(ms(h.value_at_percentile(90)));
  w.Key("p99_ms");
  w.Double(ms(h.value_at_percentile(99)));
  w.Key("p99_9_ms");
  w.Double(ms(h.value_at_percentile(99.9)));
  w.Key("max_ms");
  w.Double(ms(h.max()));
  w.Key("min_ms");
  w.Double(ms(h.min()));
  w.Key("mean_ms");
  w.Double(h.mean() / 1000.0);
  w.EndObject();
}

}  // namespace

std::string machine_description() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return std::to_string(std::thread::hardware_concurrency()) + " x " + model;
}

std::string report_json(const Options& o, const RunSummary& s) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("tool");
  w.String("streamhost-loadgen");
  w.Key("started_at");
  w.String(s.started_at);
  w.Key("machine");
  w.String(machine_description());
  w.Key("config");
  w.StartObject();
  w.Key("proxy_url");
  w.String(o.proxy_url);
  w.Key("dialect");
  w.String(o.dialect);
  w.Key("entry_topic");
  w.String(o.entry_topic);
  w.Key("focus_topic");
  w.String(o.focus_topic);
  w.Key("prediction_topic");
  w.String(o.prediction_topic);
  w.Key("customers");
  w.String(std::to_string(o.first_customer) + "-" + std::to_string(o.last_customer));
  w.Key("focus_per_customer");
  w.Int(o.focus_per_customer);
  w.Key("target_rate_per_s");
  w.Double(o.rate);
  w.Key("producers");
  w.Int(o.producers);
  w.Key("batch");
  w.Int(o.batch);
  w.EndObject();
  w.Key("counts");
  w.StartObject();
  w.Key("entries_sent");
  w.Uint64(s.entries_sent);
  w.Key("focus_sent");
  w.Uint64(s.totals.sent);
  w.Key("focus_answered");
  w.Uint64(s.totals.answered);
  w.Key("focus_missing");
  w.Uint64(s.missing);
  w.Key("results_matched");
  w.Uint64(s.totals.results);
  w.Key("results_unexpected");
  w.Uint64(s.totals.unexpected);
  w.Key("results_stale");
  w.Uint64(s.stale);
  w.Key("results_malformed");
  w.Uint64(s.malformed);
  w.Key("produce_failures");
  w.Uint64(s.produce_failures);
  w.EndObject();
  if (!s.last_produce_error.empty()) {
    w.Key("last_produce_error");
    w.String(s.last_produce_error);
  }
  w.Key("throughput");
  w.StartObject();
  w.Key("send_seconds");
  w.Double(s.send_seconds);
  w.Key("elapsed_seconds");
  w.Double(s.elapsed_seconds);
  w.Key("focus_sent_per_s");
  w.Double(s.send_rate);
  w.Key("focus_answered_per_s");
  w.Double(s.answer_rate);
  w.EndObject();
  w.Key("latency_from_intended_send");
  write_latency(w, s.corrected);
  w.Key("latency_from_actual_send");
  write_latency(w, s.uncorrected);
  w.Key("percentile_curve_ms");
  w.StartArray();
  for (double p : {0.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.99, 100.0}) {
    w.StartObject();
    w.Key("percentile");
    w.Double(p);
    w.Key("from_intended");
    w.Double(ms(s.corrected.value_at_percentile(p)));
    w.Key("from_actual");
    w.Double(ms(s.uncorrected.value_at_percentile(p)));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string report_text(const RunSummary& s) {
  char line[512];
  std::string out;
  std::snprintf(
      line, sizeof line,
      "focus events: sent %llu, answered %llu, missing %llu (results matched %llu, "
      "unexpected %llu, stale %llu, malformed %llu, produce failures %llu)\n",
      static_cast<unsigned long long>(s.totals.sent),
      static_cast<unsigned long long>(s.totals.answered),
      static_cast<unsigned long long>(s.missing), static_cast<unsigned long long>(s.totals.results),
      static_cast<unsigned long long>(s.totals.unexpected),
      static_cast<unsigned long long>(s.stale), static_cast<unsigned long long>(s.malformed),
      static_cast<unsigned long long>(s.produce_failures));
  out += line;
  std::snprintf(line, sizeof line,
                "throughput: sent %.0f focus/s over %.2f s, answered %.0f focus/s over %.2f s\n",
                s.send_rate, s.send_seconds, s.answer_rate, s.elapsed_seconds);
  out += line;
  for (const auto* h : {&s.corrected, &s.uncorrected}) {
    std::snprintf(line, sizeof line, "latency %s: ",
                  h == &s.corrected ? "from intended send (corrected)" : "from actual send     ");
    out += line;
    for (double p : kPercentiles) {
      std::snprintf(line, sizeof line, "p%g %.1f ms  ", p, ms(h->value_at_percentile(p)));
      out += line;
    }
    std::snprintf(line, sizeof line, "max %.1f ms\n", ms(h->max()));
    out += line;
  }
  return out;
}

}  // namespace streamhost::loadgen
