// `streamhost bench`: the command line over bench/ (docs/plugin-authors.md, "Benchmarking your
// handler").
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <streamhost/latency/svg.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_report.hpp"
#include "bench/bench_run.hpp"
#include "bench/compare_stats.hpp"
#include "bench/record_file.hpp"
#include "bench/record_template.hpp"
#include "cli/cli.hpp"
#include "manifest/manifest_loader.hpp"
#include "manifest/plugin_set.hpp"
#include "metrics/registry.hpp"
#include "runtime/plugin_host_services.hpp"

extern char** environ;

namespace streamhost::host {
namespace {

// A recorded file is held in memory whole; past this many records, sample it first.
constexpr size_t kMaxInputRecords = 5'000'000;

struct BenchArgs {
  std::string manifest;
  std::string ab_manifest;
  std::string compare_a, compare_b;
  std::string route;
  std::string input;
  std::optional<std::string> value_template;
  std::optional<std::string> key_template;
  uint64_t seed = 1;
  std::optional<size_t> workers;
  bench::BenchOptions options;
  std::string report, svg, png;
  double ready_timeout_s = 30;
  double confidence = 0.95;
};

bool parse_number(const std::string& text, double& out) {
  try {
    size_t used = 0;
    out = std::stod(text, &used);
    return used == text.size() && out >= 0;
  } catch (const std::exception&) {
    return false;
  }
}

bool parse_count(const std::string& text, size_t& out) {
  double d = 0;
  // Above 2^53 a double no longer holds every whole number; nobody benches that many records.
  if (!parse_number(text, d) || d > 9007199254740992.0 || d != std::floor(d)) return false;
  out = static_cast<size_t>(d);
  return true;
}

// Returns an error message, empty when the arguments are complete.
std::string parse_args(const std::vector<std::string>& args, BenchArgs& a) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    const std::string* v = nullptr;
    auto need = [&](const char* what) {
      v = value();
      return v ? std::string() : flag + " needs " + what;
    };
    std::string error;
    if (flag == "-f" || flag == "--file") {
      if (!(error = need("a manifest")).empty()) return error;
      a.manifest = *v;
    } else if (flag == "--ab") {
      if (!(error = need("a second manifest")).empty()) return error;
      a.ab_manifest = *v;
    } else if (flag == "--compare") {
      if (i + 2 >= args.size()) return "--compare needs two reports, A.json B.json";
      a.compare_a = args[++i];
      a.compare_b = args[++i];
    } else if (flag == "--route") {
      if (!(error = need("a route name")).empty()) return error;
      a.route = *v;
    } else if (flag == "--input") {
      if (!(error = need("a JSONL file")).empty()) return error;
      a.input = *v;
    } else if (flag == "--generate") {
      if (!(error = need("a value template")).empty()) return error;
      a.value_template = *v;
    } else if (flag == "--key") {
      if (!(error = need("a key template")).empty()) return error;
      a.key_template = *v;
    } else if (flag == "--report") {
      if (!(error = need("a file")).empty()) return error;
      a.report = *v;
    } else if (flag == "--svg") {
      if (!(error = need("a file")).empty()) return error;
      a.svg = *v;
    } else if (flag == "--png") {
      if (!(error = need("a file")).empty()) return error;
      a.png = *v;
    } else if (flag == "--seed" || flag == "--count" || flag == "--warmup" || flag == "--rounds" ||
               flag == "--workers") {
      if (!(error = need("a whole number")).empty()) return error;
      size_t n = 0;
      if (!parse_count(*v, n)) return flag + ": \"" + *v + "\" is not a whole number";
      if (flag == "--seed") a.seed = n;
      if (flag == "--count") a.options.count = n;
      if (flag == "--warmup") a.options.warmup = n;
      if (flag == "--rounds") a.options.rounds = n;
      if (flag == "--workers") a.workers = n;
      if ((flag == "--count" || flag == "--rounds" || flag == "--workers") && n == 0) {
        return flag + " must be at least 1";
      }
      if (flag == "--workers" && n > 256) return "--workers must be at most 256, as in a manifest";
    } else if (flag == "--rate" || flag == "--ready-timeout" || flag == "--confidence") {
      if (!(error = need("a number")).empty()) return error;
      double d = 0;
      if (!parse_number(*v, d)) return flag + ": \"" + *v + "\" is not a non-negative number";
      if (flag == "--confidence" && !(d > 0.5 && d < 1)) {
        return "--confidence must be between 0.5 and 1, such as 0.95";
      }
      (flag == "--rate"         ? a.options.rate
       : flag == "--confidence" ? a.confidence
                                : a.ready_timeout_s) = d;
    } else {
      return "unexpected argument \"" + flag + "\"";
    }
  }
  if (!a.compare_a.empty()) return {};
  if (a.manifest.empty()) return "missing -f MANIFEST";
  if (a.ab_manifest.ends_with(".so") || a.manifest.ends_with(".so")) {
    return "-f and --ab take manifests, not plugin libraries: to compare two builds of a plugin, "
           "copy the manifest and point the copy's plugins.<name>.library at the other build";
  }
  if (a.input.empty() == !a.value_template.has_value()) {
    return "give exactly one input: --input FILE.jsonl or --generate TEMPLATE";
  }
  if (a.key_template && !a.value_template) return "--key goes with --generate";
  if (a.key_template && a.key_template->find("{{key}}") != std::string::npos) {
    return "--key: {{key}} is the key itself, so it can stand only in the value template";
  }
  if (a.options.count < a.options.rounds) {
    return "--count " + std::to_string(a.options.count) + " cannot fill --rounds " +
           std::to_string(a.options.rounds) + " (each round needs at least one record)";
  }
  if (!a.report.empty() && a.svg.empty()) {
    const std::string stem =
        a.report.ends_with(".json") ? a.report.substr(0, a.report.size() - 5) : a.report;
    a.svg = stem + ".svg";
    if (a.png.empty()) a.png = stem + ".png";
  }
  return {};
}

// One manifest's plugins, live, and its routes as the runtime runs them.
struct LoadedPipeline {
  Manifest manifest;
  std::vector<LoadedPlugin> loaded;
  metrics::Registry registry;
  std::unique_ptr<runtime::PluginHostServices> services;
  PluginSet plugins;
  std::vector<runtime::Route> routes;
};

std::unique_ptr<LoadedPipeline> load_pipeline(const std::string& path) {
  auto p = std::make_unique<LoadedPipeline>();
  p->manifest = load_manifest(path);
  p->loaded = load_manifest_plugins(p->manifest);
  p->services = std::make_unique<runtime::PluginHostServices>(p->registry);
  p->plugins = create_plugins(p->manifest, p->loaded, *p->services);
  for (size_t i = 0; i < p->manifest.routes.size(); ++i) {
    const RouteSpec& spec = p->manifest.routes[i];
    p->routes.push_back({spec.name, spec.source_topic, spec.output_topic,
                         p->plugins.route_handlers[i], spec.max_attempts});
  }
  return p;
}

// Waits for every plugin's readiness check, as /readyz would report it, so the measured phase does
// not time a cache still loading (the coupon plugin's catalog). False when the timeout passes.
bool wait_ready(const LoadedPipeline& p, double timeout_s, std::ostream& err) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(timeout_s));
  for (;;) {
    std::string not_ready;
    for (const auto& instance : p.plugins.instances) {
      std::string why;
      if (!instance->ready(why)) not_ready = instance->name() + ": " + why;
    }
    if (not_ready.empty()) return true;
    if (std::chrono::steady_clock::now() >= deadline) {
      err << "streamhost bench: plugin not ready after " << timeout_s << " s: " << not_ready
          << "\n";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::optional<size_t> route_index(const std::vector<runtime::Route>& routes,
                                  const std::string& name) {
  for (size_t i = 0; i < routes.size(); ++i) {
    if (routes[i].name == name) return i;
  }
  return std::nullopt;
}

std::string route_names(const std::vector<runtime::Route>& routes) {
  std::string out;
  for (const auto& r : routes) out += (out.empty() ? "" : ", ") + r.name;
  return out;
}

// Where the records come from: a recorded file (cycled when --count asks for more) or templates.
// Deterministic in seq, so --ab's two sides get the very same records.
struct Inputs {
  std::vector<connector::ConsumedRecord> file;
  std::optional<bench::RecordTemplate> value, key;
  uint64_t seed = 1;

  // `route` set: every record goes to it; else by its topic, like the runtime.
  bench::RecordSource source(const std::vector<runtime::Route>& routes,
                             std::optional<size_t> route) const {
    return [this, &routes, route](uint64_t seq,
                                  connector::ConsumedRecord& out) -> std::optional<size_t> {
      if (!file.empty()) {
        out = file[seq % file.size()];
      } else {
        std::mt19937_64 random(seed * 0x9E3779B97F4A7C15ull + seq);
        out = {};
        out.topic = routes[*route].source_topic;
        out.offset = static_cast<int64_t>(seq);
        if (key) out.key = key->render(seq, random);
        out.value = value->render(seq, random, out.key.value_or(""));
      }
      if (route) return route;
      for (size_t i = 0; i < routes.size(); ++i) {
        if (routes[i].source_topic == out.topic) return i;
      }
      return std::nullopt;
    };
  }
};

// A PNG beside the SVG for viewers without SVG, with rsvg-convert (Debian's librsvg2-bin) when it
// is installed. Spawned without a shell, so no path is ever parsed as a command.
void write_png(const std::string& svg, const std::string& png, std::ostream& err) {
  const char* argv[] = {"rsvg-convert", "-b", "white", "-o", png.c_str(), svg.c_str(), nullptr};
  pid_t pid = 0;
  if (posix_spawnp(&pid, "rsvg-convert", nullptr, nullptr, const_cast<char**>(argv), environ) !=
      0) {
    err << "streamhost bench: no rsvg-convert on PATH, " << png
        << " not written (apt package librsvg2-bin)\n";
    return;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    err << "streamhost bench: rsvg-convert failed, " << png << " not written\n";
  }
}

bool write_text(const std::string& path, const std::string& text, std::ostream& err) {
  std::ofstream out(path);
  out << text;
  if (!out || !out.flush()) {
    err << "streamhost bench: cannot write " << path << "\n";
    return false;
  }
  return true;
}

// The picture of one route: at a fixed rate, latency from the intended and the actual start; as
// fast as possible, the handler's own time (the figure to compare) and the queued latency.
bool write_picture(const BenchArgs& a, const bench::RunConditions& conditions,
                   const bench::RouteResult& r, std::ostream& out, std::ostream& err) {
  latency::SvgLabels labels;
  labels.axis_unit = "µs";
  labels.units_per_axis_unit = 1000;  // the histograms hold ns
  labels.count_noun = "records";
  const bool paced = a.options.rate > 0;
  labels.value_name = paced ? "latency" : "time";
  labels.primary =
      paced ? "latency from intended start (corrected for coordinated omission)" : "handler time";
  labels.secondary = paced ? "latency from actual dispatch (uncorrected)"
                           : "latency from dispatch, queue included";
  labels.histogram_title = paced ? "Histogram of latency from intended start (x: log scale)"
                                 : "Histogram of handler time (x: log scale)";
  const std::string subtitle = conditions.input + "; load " + conditions.load_average;
  const std::string svg = latency::latency_svg(
      paced ? r.latency_ns : r.handler_ns, paced ? r.uncorrected_ns : r.latency_ns,
      "streamhost bench: route " + r.route + " (" + r.handler + ")", subtitle, labels);
  if (!write_text(a.svg, svg, err)) return false;
  out << "picture: " << a.svg << "\n";
  if (!a.png.empty()) write_png(a.svg, a.png, err);
  return true;
}

int compare_command(const BenchArgs& a, std::ostream& out, std::ostream& err) {
  // A report holds a few KiB per route; anything far larger is not one of ours.
  constexpr std::streamsize kMaxReportBytes = 16 << 20;
  auto read = [&](const std::string& path, std::string& text) {
    std::ifstream in(path, std::ios::binary);
    text.assign(static_cast<size_t>(kMaxReportBytes) + 1, '\0');
    in.read(text.data(), kMaxReportBytes + 1);
    text.resize(static_cast<size_t>(in.gcount()));
    if (text.size() > static_cast<size_t>(kMaxReportBytes)) {
      err << "streamhost bench: " << path << " is larger than 16 MiB, not a bench report\n";
      return false;
    }
    return !in.bad() && (in.good() || in.eof());
  };
  std::string text_a, text_b;
  for (auto [path, text] : {std::pair{&a.compare_a, &text_a}, {&a.compare_b, &text_b}}) {
    if (!std::ifstream(*path)) {
      err << "streamhost bench: cannot read " << *path << "\n";
      return kExitUsage;
    }
    if (!read(*path, *text)) return kExitUsage;
  }
  try {
    std::string route_a, route_b;
    auto medians_a = bench::read_round_medians(text_a, a.route, route_a);
    auto medians_b =
        bench::read_round_medians(text_b, a.route.empty() ? route_a : a.route, route_b);
    const auto estimate = bench::unpaired_ratio(medians_a, medians_b, a.confidence);
    out << "A = " << a.compare_a << ", B = " << a.compare_b << "\n"
        << bench::ab_text(route_a, medians_a, medians_b, estimate);
    if (estimate.low > 1 || estimate.high < 1) {
      out << "  (separate runs: the machine's drift between them is not in this interval; "
             "confirm with --ab, which interleaves A and B)\n";
    }
    return kExitOk;
  } catch (const bench::CompareError& e) {
    err << "streamhost bench --compare: " << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace

int bench_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  BenchArgs a;
  if (std::string error = parse_args(args, a); !error.empty()) {
    err << "streamhost: " << error << "\n\n" << bench_help();
    return kExitUsage;
  }
  if (!a.compare_a.empty()) return compare_command(a, out, err);

  Inputs inputs;
  inputs.seed = a.seed;
  std::unique_ptr<LoadedPipeline> pa, pb;
  try {
    if (a.value_template) {
      inputs.value.emplace(*a.value_template);
      if (a.key_template) inputs.key.emplace(*a.key_template);
    } else {
      std::ifstream in(a.input);
      if (!in) {
        err << "streamhost bench: cannot read " << a.input << "\n";
        return kExitUsage;
      }
      inputs.file = bench::read_record_file(in, a.input, kMaxInputRecords);
      if (inputs.file.empty()) {
        err << "streamhost bench: " << a.input << " holds no record\n";
        return kExitUsage;
      }
    }
    pa = load_pipeline(a.manifest);
    if (!a.ab_manifest.empty()) pb = load_pipeline(a.ab_manifest);
  } catch (const bench::TemplateError& e) {
    err << "streamhost bench: --generate/--key: " << e.what() << "\n";
    return kExitUsage;
  } catch (const bench::RecordFileError& e) {
    err << "streamhost bench: " << e.what() << "\n";
    return kExitUsage;
  } catch (const ManifestError& e) {
    err << e.what() << "\n";
    return kExitUsage;
  } catch (const PluginError& e) {
    err << e.what() << "\n";
    return kExitUsage;
  }

  std::optional<size_t> route;
  if (!a.route.empty()) {
    route = route_index(pa->routes, a.route);
    if (!route) {
      err << "streamhost bench: no route \"" << a.route << "\" in " << a.manifest
          << " (routes: " << route_names(pa->routes) << ")\n";
      return kExitUsage;
    }
  } else if (a.value_template || pb) {
    if (pa->routes.size() != 1) {
      err << "streamhost bench: " << (pb ? "--ab" : "--generate")
          << " needs --route (routes: " << route_names(pa->routes) << ")\n";
      return kExitUsage;
    }
    route = 0;
  }
  std::optional<size_t> route_b;
  if (pb) {
    route_b = route_index(pb->routes, pa->routes[*route].name);
    if (!route_b) {
      err << "streamhost bench: --ab: " << a.ab_manifest << " has no route \""
          << pa->routes[*route].name << "\" (routes: " << route_names(pb->routes) << ")\n";
      return kExitUsage;
    }
  }
  a.options.workers = a.workers.value_or(pa->manifest.workers);
  if (pb && a.options.rounds < bench::min_paired_rounds(a.confidence)) {
    err << "streamhost bench --ab: " << a.options.rounds << " rounds cannot give a "
        << a.confidence * 100 << " % interval; give --rounds "
        << bench::min_paired_rounds(a.confidence) << " or more (20 recommended)\n";
    return kExitUsage;
  }
  if (!wait_ready(*pa, a.ready_timeout_s, err) ||
      (pb && !wait_ready(*pb, a.ready_timeout_s, err))) {
    return kExitRuntimeFailure;
  }

  bench::RunConditions conditions;
  conditions.manifest = a.manifest;
  conditions.input = a.value_template
                         ? "generated: " + *a.value_template +
                               (a.key_template ? " key " + *a.key_template : "") + " (seed " +
                               std::to_string(a.seed) + ")"
                         : a.input + " (" + std::to_string(inputs.file.size()) + " records)";
  conditions.options = a.options;
  conditions.started_at = bench::utc_now_iso8601();
  conditions.load_average = bench::load_average_now();
  conditions.cpus = std::thread::hardware_concurrency();

  if (!pb) {
    bench::BenchResult result =
        bench::run_bench(pa->routes, inputs.source(pa->routes, route), a.options);
    conditions.load_average_end = bench::load_average_now();
    out << bench::report_text(conditions, result);
    bool written = true;
    if (!a.report.empty()) {
      written = write_text(a.report, bench::report_json(conditions, result), err);
      if (written) out << "report: " << a.report << "\n";
    }
    if (written && !a.svg.empty() && !result.routes.empty()) {
      written = write_picture(a, conditions, result.routes.front(), out, err);
    }
    if (!written) return kExitRuntimeFailure;
    return result.first_fatal.empty() ? kExitOk : kExitRuntimeFailure;
  }

  // --ab: A and B interleaved, ABBA, on the same records per round.
  const auto source_a = inputs.source(pa->routes, route);
  const auto source_b = inputs.source(pb->routes, route_b);
  // Each round of --ab is a trial of its own: a fresh schedule at a fixed rate, since A's and B's
  // rounds alternate.
  a.options.continuous_schedule = false;
  const auto threads = bench::make_worker_threads(a.options);
  bench::BenchRunner runner_a(pa->routes, a.options, threads),
      runner_b(pb->routes, a.options, threads);
  uint64_t seq = 0;
  if (a.options.warmup > 0) {
    runner_a.run_round(source_a, 0, a.options.warmup, false);
    runner_b.run_round(source_b, 0, a.options.warmup, false);
    seq = a.options.warmup;
  }
  for (size_t i = 0; i < a.options.rounds; ++i) {
    // Rounds split the count as evenly as it divides, as run_bench's do.
    const size_t per_round =
        a.options.count * (i + 1) / a.options.rounds - a.options.count * i / a.options.rounds;
    if (i % 2 == 0) {
      runner_a.run_round(source_a, seq, per_round, true);
      runner_b.run_round(source_b, seq, per_round, true);
    } else {
      runner_b.run_round(source_b, seq, per_round, true);
      runner_a.run_round(source_a, seq, per_round, true);
    }
    seq += per_round;
    if (runner_a.fatal_seen() || runner_b.fatal_seen()) break;
  }
  bench::BenchResult ra = runner_a.take_result(), rb = runner_b.take_result();
  conditions.load_average_end = bench::load_average_now();
  if (ra.routes.empty() || rb.routes.empty()) {
    err << "streamhost bench --ab: a side measured no record\n";
    return kExitRuntimeFailure;
  }
  out << "== A: " << a.manifest << "\n" << bench::report_text(conditions, ra);
  conditions.manifest = a.ab_manifest;
  out << "\n== B: " << a.ab_manifest << "\n" << bench::report_text(conditions, rb) << "\n";
  if (!ra.first_fatal.empty() || !rb.first_fatal.empty()) {
    err << "streamhost bench --ab: a FATAL ended the run (" << (ra.first_fatal.empty() ? "B" : "A")
        << "); no comparison of unequal rounds\n";
    return kExitRuntimeFailure;
  }
  try {
    const auto estimate = bench::paired_ratio(ra.routes.front().round_median_ns,
                                              rb.routes.front().round_median_ns, a.confidence);
    out << "== A/B, interleaved\n"
        << bench::ab_text(ra.routes.front().route, ra.routes.front().round_median_ns,
                          rb.routes.front().round_median_ns, estimate);
  } catch (const bench::CompareError& e) {
    err << "streamhost bench --ab: " << e.what() << "\n";
    return kExitUsage;
  }
  if (!a.report.empty()) {
    conditions.manifest = a.manifest;
    const std::string stem =
        a.report.ends_with(".json") ? a.report.substr(0, a.report.size() - 5) : a.report;
    if (!write_text(stem + "-a.json", bench::report_json(conditions, ra), err)) {
      return kExitRuntimeFailure;
    }
    conditions.manifest = a.ab_manifest;
    if (!write_text(stem + "-b.json", bench::report_json(conditions, rb), err)) {
      return kExitRuntimeFailure;
    }
    out << "reports: " << stem << "-a.json, " << stem << "-b.json\n";
  }
  return ra.first_fatal.empty() && rb.first_fatal.empty() ? kExitOk : kExitRuntimeFailure;
}

std::string bench_help() {
  return R"(Usage: streamhost bench -f MANIFEST [--route R] INPUT [options]
       streamhost bench -f A.yaml --ab B.yaml --route R INPUT [options]
       streamhost bench --compare A.json B.json [--route R]

Runs a manifest's plugins as `run` loads them (the same loader, config checks and handler
boundary, workers and per-key order) on records from a file or a generator, with no Kafka, proxy
or network of its own; services a plugin's config points at (a database, a scorer) are used as
configured. Waits for every plugin to be ready, runs a warm-up, then measures.

Input (one of):
  --input FILE.jsonl           recorded records (`streamhost record` writes them), cycled if
                               --count asks for more; routed by topic unless --route
  --generate TEMPLATE          a value per record: {{seq}}, {{int:MIN:MAX}}, {{float:MIN:MAX}},
                               {{choice:A|B|C}}, {{now_ms}}, {{key}}; needs --route (or one route)
  --key TEMPLATE               the key per record (same placeholders); none: a null key
  --seed N                     the generator's seed (1)

Options:
  --route R                    every record goes to route R
  --count N                    records measured (10000)
  --warmup N                   records run first, not measured (1000)
  --rounds N                   the measured records in N rounds; each round's median is kept for
                               --ab and --compare (10)
  --rate R                     records per second, latency corrected for coordinated omission;
                               0 or absent: as fast as possible (at most 256 records queued)
  --workers N                  worker threads (the manifest's `workers`)
  --ready-timeout S            how long to wait for the plugins to be ready (30)
  --report FILE.json           the JSON report; also FILE.svg and FILE.png (the latency picture)
                               unless --svg / --png name others
  --ab B.yaml                  run B's plugins interleaved with A's (ABBA rounds, same records) and
                               report B/A of the per-round handler medians with a sign-test
                               interval; "no difference that the noise allows to tell" when it
                               holds 1 (at least 6 rounds; 20 or more recommended)
  --compare A.json B.json      compare two reports of separate runs: Hodges-Lehmann ratio with a
                               Mann-Whitney interval (at least 5 rounds each)
  --confidence C               the intervals' coverage for --ab and --compare (0.95)

Times are µs: `handler` is the handler's own time, `latency` from the record's intended start
(fixed rate) or dispatch to the handler's return. RETRY is counted, not retried.
Exit codes: 0 done, 1 a FATAL or a plugin never ready, 2 usage or configuration error.
)";
}

}  // namespace streamhost::host
