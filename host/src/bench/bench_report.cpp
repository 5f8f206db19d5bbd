#include "bench/bench_report.hpp"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <streamhost/json/bounded_parse.hpp>

namespace streamhost::host::bench {
namespace {

constexpr double kPercentiles[] = {50, 90, 99, 99.9};

std::string micros(int64_t ns) {
  char out[32];
  if (ns < 10'000) {
    std::snprintf(out, sizeof out, "%.2f", ns / 1e3);
  } else if (ns < 10'000'000) {
    std::snprintf(out, sizeof out, "%.1f", ns / 1e3);
  } else {
    std::snprintf(out, sizeof out, "%.0f", ns / 1e3);
  }
  return out;
}

std::string row(const std::string& name, const LatencyHistogram& h) {
  std::ostringstream out;
  char cell[48];
  std::snprintf(cell, sizeof cell, "  %-22s", name.c_str());
  out << cell;
  for (double p : kPercentiles) {
    std::snprintf(cell, sizeof cell, "%10s", micros(h.value_at_percentile(p)).c_str());
    out << cell;
  }
  std::snprintf(cell, sizeof cell, "%10s", micros(h.max()).c_str());
  out << cell << "\n";
  return out.str();
}

template <typename Writer>
void write_histogram(Writer& w, const char* name, const LatencyHistogram& h) {
  w.Key(name);
  w.StartObject();
  w.Key("p50");
  w.Double(h.value_at_percentile(50) / 1e3);
  w.Key("p90");
  w.Double(h.value_at_percentile(90) / 1e3);
  w.Key("p99");
  w.Double(h.value_at_percentile(99) / 1e3);
  w.Key("p99_9");
  w.Double(h.value_at_percentile(99.9) / 1e3);
  w.Key("max");
  w.Double(h.max() / 1e3);
  w.Key("mean");
  w.Double(h.mean() / 1e3);
  w.EndObject();
}

}  // namespace

std::string load_average_now() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return in ? a + " " + b + " " + c : "unknown";
}

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

std::string report_text(const RunConditions& c, const BenchResult& result) {
  std::ostringstream out;
  char line[256];
  out << "streamhost bench: " << c.manifest << "\n  input: " << c.input << "\n";
  char pace[64] = "as fast as possible";
  if (c.options.rate > 0) std::snprintf(pace, sizeof pace, "fixed rate %g/s", c.options.rate);
  std::snprintf(line, sizeof line,
                "  %zu workers, %s, %zu warm-up + %zu measured records in %zu rounds\n",
                c.options.workers, pace, c.options.warmup, c.options.count, c.options.rounds);
  out << line << "  load average " << c.load_average << " at the start, " << c.load_average_end
      << " at the end (" << c.cpus << " CPUs)\n\n";
  for (const RouteResult& r : result.routes) {
    out << "route " << r.route << " (" << r.handler << "): " << r.records << " records, OK " << r.ok
        << ", REJECT " << r.reject << ", RETRY " << r.retry << ", FATAL " << r.fatal << ", "
        << r.outputs << " outputs\n";
    // "µs" is 3 bytes for 2 columns: one more byte of width keeps the columns aligned.
    std::snprintf(line, sizeof line, "  %-23s%10s%10s%10s%10s%10s\n", "µs", "p50", "p90", "p99",
                  "p99.9", "max");
    out << line << row("handler", r.handler_ns)
        << row(c.options.rate > 0 ? "latency (corrected)" : "latency (queued)", r.latency_ns);
    if (c.options.rate > 0) out << row("latency (uncorrected)", r.uncorrected_ns);
    for (const auto& [reason, n] : r.reasons) out << "  " << n << " x " << reason << "\n";
    out << "\n";
  }
  const uint64_t records = [&] {
    uint64_t n = 0;
    for (const auto& r : result.routes) n += r.records;
    return n;
  }();
  std::snprintf(line, sizeof line,
                "throughput %.0f records/s over %.2f s; CPU %.2f s (%.1f µs a record); peak RSS "
                "%.1f MiB\n",
                result.records_per_second, result.elapsed_seconds, result.cpu_seconds,
                records ? result.cpu_seconds * 1e6 / records : 0.0, result.peak_rss_kib / 1024.0);
  out << line;
  if (result.unrouted) out << result.unrouted << " input records had no route and were skipped\n";
  if (!result.first_fatal.empty()) out << "stopped by FATAL: " << result.first_fatal << "\n";
  return out.str();
}

std::string report_json(const RunConditions& c, const BenchResult& result) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("tool");
  w.String("streamhost bench");
  w.Key("started_at");
  w.String(c.started_at);
  w.Key("manifest");
  w.String(c.manifest);
  w.Key("input");
  w.String(c.input);
  w.Key("machine");
  w.StartObject();
  w.Key("cpus");
  w.Uint(c.cpus);
  w.Key("load_average_start");
  w.String(c.load_average);
  w.Key("load_average_end");
  w.String(c.load_average_end);
  w.EndObject();
  w.Key("options");
  w.StartObject();
  w.Key("workers");
  w.Uint64(c.options.workers);
  w.Key("rate");
  w.Double(c.options.rate);
  w.Key("warmup");
  w.Uint64(c.options.warmup);
  w.Key("count");
  w.Uint64(c.options.count);
  w.Key("rounds");
  w.Uint64(c.options.rounds);
  w.EndObject();
  w.Key("elapsed_seconds");
  w.Double(result.elapsed_seconds);
  w.Key("records_per_second");
  w.Double(result.records_per_second);
  w.Key("cpu_seconds");
  w.Double(result.cpu_seconds);
  w.Key("peak_rss_kib");
  w.Int64(result.peak_rss_kib);
  w.Key("unrouted");
  w.Uint64(result.unrouted);
  w.Key("first_fatal");
  w.String(result.first_fatal);
  w.Key("routes");
  w.StartArray();
  for (const RouteResult& r : result.routes) {
    w.StartObject();
    w.Key("route");
    w.String(r.route);
    w.Key("handler");
    w.String(r.handler);
    for (auto [name, n] : {std::pair{"records", r.records},
                           {"ok", r.ok},
                           {"reject", r.reject},
                           {"retry", r.retry},
                           {"fatal", r.fatal},
                           {"outputs", r.outputs}}) {
      w.Key(name);
      w.Uint64(n);
    }
    write_histogram(w, "handler_us", r.handler_ns);
    write_histogram(w, "latency_us", r.latency_ns);
    write_histogram(w, "latency_uncorrected_us", r.uncorrected_ns);
    w.Key("round_median_handler_us");
    w.StartArray();
    for (double ns : r.round_median_ns) w.Double(ns / 1e3);
    w.EndArray();
    w.Key("reasons");
    w.StartObject();
    for (const auto& [reason, n] : r.reasons) {
      w.Key(reason);
      w.Uint64(n);
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::vector<double> read_round_medians(const std::string& text, const std::string& route,
                                       std::string& route_found) {
  rapidjson::Document doc;
  if (auto error = json::parse_bounded(doc, text)) {
    throw CompareError("not a bench report: " + error.message);
  }
  if (!doc.IsObject() || !doc.HasMember("routes") || !doc["routes"].IsArray()) {
    throw CompareError("not a bench report (no \"routes\" array)");
  }
  for (const auto& r : doc["routes"].GetArray()) {
    if (!r.IsObject() || !r.HasMember("route") || !r["route"].IsString()) continue;
    if (!route.empty() && route != r["route"].GetString()) continue;
    route_found = r["route"].GetString();
    std::vector<double> out;
    if (!r.HasMember("round_median_handler_us") || !r["round_median_handler_us"].IsArray()) {
      throw CompareError("route " + route_found + " has no round_median_handler_us");
    }
    // Far more than any run keeps; bounds --compare's pairwise work (rounds of A times B).
    constexpr rapidjson::SizeType kMaxRounds = 10000;
    if (r["round_median_handler_us"].Size() > kMaxRounds) {
      throw CompareError("route " + route_found + " has more than 10000 rounds");
    }
    for (const auto& v : r["round_median_handler_us"].GetArray()) {
      const double ns = v.IsNumber() ? v.GetDouble() * 1e3 : 0;
      if (!std::isfinite(ns) || ns <= 0) {
        throw CompareError("round_median_handler_us holds something other than a positive time");
      }
      out.push_back(ns);
    }
    return out;
  }
  throw CompareError(route.empty() ? "the report has no route"
                                   : "the report has no route \"" + route + "\"");
}

std::string ab_text(const std::string& route, const std::vector<double>& a,
                    const std::vector<double>& b, const RatioEstimate& estimate) {
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
  };
  char line[256];
  std::snprintf(line, sizeof line,
                "route %s: handler median over rounds A %s µs, B %s µs (%zu and %zu rounds)\n",
                route.c_str(), micros(static_cast<int64_t>(median(a))).c_str(),
                micros(static_cast<int64_t>(median(b))).c_str(), a.size(), b.size());
  return std::string(line) + "  " + estimate.method + "\n  " + verdict(estimate) + "\n";
}

}  // namespace streamhost::host::bench
