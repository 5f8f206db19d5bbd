#include "metrics/registry.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <streamhost/redact/redact.hpp>

namespace streamhost::host::metrics {
namespace {

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

enum class Shown { kKey, kExposed };

// `{a="x",b="y"}`, or "" without labels; `extra` is appended (the histogram's le label). kKey is
// the series' key, looked up on every update; kExposed, what a scrape shows, passes each value
// through the one redaction rule (a label may carry a topic or route name someone wrote a secret
// into), once per scrape rather than once per update.
std::string render_labels(const Labels& labels, const std::string& extra = {},
                          Shown shown = Shown::kKey) {
  if (labels.empty() && extra.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k + "=\"" + escape_label_value(shown == Shown::kExposed ? redact::redact_text(v) : v) +
           "\"";
  }
  if (!extra.empty()) {
    if (!first) out += ',';
    out += extra;
  }
  out += '}';
  return out;
}

std::string format_double(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

std::string escape_help(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string sanitize_metric_name(const std::string& raw) {
  std::string out = raw;
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  return out;
}

Registry::Series& Registry::series(const std::string& name, const std::string& help, Kind kind,
                                   const Labels& labels) {
  const std::string key = render_labels(labels);
  {
    std::shared_lock lock(mutex_);
    auto f = families_.find(name);
    if (f != families_.end() && f->second.kind == kind) {
      auto s = f->second.series.find(key);
      if (s != f->second.series.end()) return s->second;
    }
  }
  std::unique_lock lock(mutex_);
  auto [f, inserted] = families_.try_emplace(name, Family{kind, help, {}});
  if (!inserted && f->second.kind != kind) {
    throw std::logic_error("metric " + name + " is already registered as another kind");
  }
  auto [s, created] = f->second.series.try_emplace(key);
  if (created) {
    s->second.labels = labels;
    switch (kind) {
      case Kind::kCounter:
        s->second.counter = std::make_unique<Counter>();
        break;
      case Kind::kGauge:
        s->second.gauge = std::make_unique<Gauge>();
        break;
      case Kind::kHistogram:
        s->second.histogram = std::make_unique<Histogram>();
        break;
    }
  }
  return s->second;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  return *series(name, help, Kind::kCounter, labels).counter;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  return *series(name, help, Kind::kGauge, labels).gauge;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               const Labels& labels) {
  return *series(name, help, Kind::kHistogram, labels).histogram;
}

void Registry::remove(const std::string& name, const Labels& labels) {
  std::unique_lock lock(mutex_);
  auto f = families_.find(name);
  if (f == families_.end()) return;
  f->second.series.erase(render_labels(labels));
}

void Registry::add_collect_hook(std::function<void()> hook) {
  std::lock_guard lock(hooks_mutex_);
  hooks_.push_back(std::move(hook));
}

uint64_t Registry::counter_value(const std::string& name, const Labels& labels) const {
  std::shared_lock lock(mutex_);
  auto f = families_.find(name);
  if (f == families_.end() || f->second.kind != Kind::kCounter) return 0;
  auto s = f->second.series.find(render_labels(labels));
  return s == f->second.series.end() ? 0 : s->second.counter->value();
}

std::string Registry::render() const {
  {
    std::lock_guard lock(hooks_mutex_);
    for (const auto& hook : hooks_) hook();
  }
  std::string out;
  std::shared_lock lock(mutex_);
  const auto& bounds = latency_bucket_bounds();
  for (const auto& [name, family] : families_) {
    const char* type = family.kind == Kind::kCounter ? "counter"
                       : family.kind == Kind::kGauge ? "gauge"
                                                     : "histogram";
    out += "# HELP " + name + " " + escape_help(family.help) + "\n";
    out += "# TYPE " + name + " " + type + "\n";
    for (const auto& entry : family.series) {
      const Series& s = entry.second;
      const std::string key = render_labels(s.labels, {}, Shown::kExposed);
      switch (family.kind) {
        case Kind::kCounter:
          out += name + key + " " + std::to_string(s.counter->value()) + "\n";
          break;
        case Kind::kGauge:
          out += name + key + " " + format_double(s.gauge->value()) + "\n";
          break;
        case Kind::kHistogram: {
          auto snap = s.histogram->snapshot();
          for (size_t i = 0; i < snap.cumulative.size(); ++i) {
            std::string le = i < bounds.size() ? format_double(bounds[i]) : "+Inf";
            out += name + "_bucket" +
                   render_labels(s.labels, "le=\"" + le + "\"", Shown::kExposed) + " " +
                   std::to_string(snap.cumulative[i]) + "\n";
          }
          out += name + "_sum" + key + " " + format_double(snap.sum) + "\n";
          out += name + "_count" + key + " " + std::to_string(snap.count) + "\n";
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace streamhost::host::metrics
