#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <streamhost/latency/svg.hpp>
#include <vector>

namespace streamhost::latency {
namespace {

constexpr double kWidth = 900, kHeight = 760;
constexpr double kLeft = 80, kRight = 30;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
// Top panel: percentile curve; bottom panel: histogram.
constexpr double kCurveTop = 90, kCurveHeight = 330;
constexpr double kHistTop = 500, kHistHeight = 200;

std::string fmt(double v, const char* spec = "%.1f") {
  char text[48];
  std::snprintf(text, sizeof text, spec, v);
  return text;
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

// A "nice" axis maximum (1, 2, 5 x 10^n) at or above v.
double nice_ceiling(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= v) return m * p;
  }
  return 10 * p;
}

void text(std::ostringstream& svg, double x, double y, const std::string& s,
          const char* anchor = "middle", int size = 12) {
  svg << "<text x=\"" << fmt(x) << "\" y=\"" << fmt(y) << "\" font-size=\"" << size
      << "\" text-anchor=\"" << anchor << "\">" << escape(s) << "</text>\n";
}

void line(std::ostringstream& svg, double x1, double y1, double x2, double y2,
          const char* style = "stroke:#ccc") {
  svg << "<line x1=\"" << fmt(x1) << "\" y1=\"" << fmt(y1) << "\" x2=\"" << fmt(x2) << "\" y2=\""
      << fmt(y2) << "\" style=\"" << style << "\"/>\n";
}

void percentile_curve(std::ostringstream& svg, const LatencyHistogram& corrected,
                      const LatencyHistogram& uncorrected, const SvgLabels& labels) {
  const uint64_t n = std::max<uint64_t>(corrected.count(), 1);
  // Show as many nines as the sample count supports, at least 99 % and at most 99.999 %.
  const double max_nines = std::clamp(std::ceil(std::log10(static_cast<double>(n))), 2.0, 5.0);
  const double y_max_ms =
      nice_ceiling(std::max(corrected.max(), uncorrected.max()) / labels.units_per_axis_unit);
  auto x_of = [&](double x_nines) { return kLeft + kPlotWidth * x_nines / max_nines; };
  auto y_of = [&](double ms) { return kCurveTop + kCurveHeight * (1.0 - ms / y_max_ms); };

  text(svg, kLeft + kPlotWidth / 2, kCurveTop - 12,
       "Latency by percentile (x: log scale of 1/(1-percentile))", "middle", 14);
  for (int i = 0; i <= 5; ++i) {
    const double ms = y_max_ms * i / 5;
    line(svg, kLeft, y_of(ms), kLeft + kPlotWidth, y_of(ms));
    text(svg, kLeft - 8, y_of(ms) + 4, fmt(ms, ms == 0 || ms >= 10 ? "%.0f" : "%.2f"), "end");
  }
  static const char* kLabels[] = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
  for (int i = 0; i <= static_cast<int>(max_nines); ++i) {
    line(svg, x_of(i), kCurveTop, x_of(i), kCurveTop + kCurveHeight);
    text(svg, x_of(i), kCurveTop + kCurveHeight + 18, kLabels[i]);
  }
  text(svg, kLeft + kPlotWidth / 2, kCurveTop + kCurveHeight + 38, "percentile");
  svg << "<text x=\"20\" y=\"" << fmt(kCurveTop + kCurveHeight / 2)
      << "\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 20 "
      << fmt(kCurveTop + kCurveHeight / 2) << ")\">" << escape(labels.value_name) << " ("
      << escape(labels.axis_unit) << ")</text>\n";

  auto draw = [&](const LatencyHistogram& h, const char* style) {
    if (h.count() == 0) return;
    svg << "<polyline fill=\"none\" style=\"" << style << "\" points=\"";
    // x is the number of nines, log10(1 / (1 - q)); q = 1 - 10^-x.
    const int steps = 400;
    for (int i = 0; i <= steps; ++i) {
      const double x = max_nines * i / steps;
      const double q = 1.0 - std::pow(10.0, -x);
      const double ms = h.value_at_percentile(q * 100.0) / labels.units_per_axis_unit;
      svg << fmt(x_of(x)) << ',' << fmt(y_of(ms)) << ' ';
    }
    svg << "\"/>\n";
  };
  draw(uncorrected, "stroke:#999;stroke-width:1.5;stroke-dasharray:6,4");
  draw(corrected, "stroke:#1f6fb4;stroke-width:2.5");
  // Legend.
  const double lx = kLeft + 12, ly = kCurveTop + 14;
  line(svg, lx, ly, lx + 30, ly, "stroke:#1f6fb4;stroke-width:2.5");
  text(svg, lx + 36, ly + 4, labels.primary, "start");
  if (uncorrected.count() == 0 || labels.secondary.empty()) return;
  line(svg, lx, ly + 18, lx + 30, ly + 18, "stroke:#999;stroke-width:1.5;stroke-dasharray:6,4");
  text(svg, lx + 36, ly + 22, labels.secondary, "start");
}

void histogram_bars(std::ostringstream& svg, const LatencyHistogram& h, const SvgLabels& labels) {
  const double per_unit = labels.units_per_axis_unit;
  text(svg, kLeft + kPlotWidth / 2, kHistTop - 12, labels.histogram_title, "middle", 14);
  if (h.count() == 0) {
    text(svg, kLeft + kPlotWidth / 2, kHistTop + kHistHeight / 2, "no samples");
    return;
  }
  // Log-spaced bins between the decades around min and max (at least one decade).
  const double lo_ms = std::max(h.min(), int64_t{1}) / per_unit;
  const double hi_ms = std::max(h.max(), int64_t{1}) / per_unit;
  const double lo_decade = std::floor(std::log10(lo_ms));
  const double hi_decade = std::max(std::ceil(std::log10(hi_ms)), lo_decade + 1);
  const int bins = 80;
  std::vector<uint64_t> counts(bins, 0);
  auto bin_of = [&](double ms) {
    const double f = (std::log10(std::max(ms, 1e-9)) - lo_decade) / (hi_decade - lo_decade);
    return std::clamp(static_cast<int>(f * bins), 0, bins - 1);
  };
  for (const auto& b : h.buckets()) {
    counts[bin_of((b.lowest + b.highest) / 2.0 / per_unit)] += b.count;
  }
  const double y_max =
      nice_ceiling(static_cast<double>(*std::max_element(counts.begin(), counts.end())));
  for (int i = 0; i <= 4; ++i) {
    const double y = kHistTop + kHistHeight * (1.0 - i / 4.0);
    line(svg, kLeft, y, kLeft + kPlotWidth, y);
    text(svg, kLeft - 8, y + 4, fmt(y_max * i / 4, "%.0f"), "end");
  }
  const double bar = kPlotWidth / bins;
  for (int i = 0; i < bins; ++i) {
    if (counts[i] == 0) continue;
    const double height = kHistHeight * static_cast<double>(counts[i]) / y_max;
    svg << "<rect x=\"" << fmt(kLeft + i * bar) << "\" y=\"" << fmt(kHistTop + kHistHeight - height)
        << "\" width=\"" << fmt(std::max(bar - 1, 1.0)) << "\" height=\"" << fmt(height)
        << "\" style=\"fill:#1f6fb4\"/>\n";
  }
  // Ticks at 1, 2 and 5 times each power of ten.
  for (double d = lo_decade; d <= hi_decade; d += 1) {
    for (double m : {1.0, 2.0, 5.0}) {
      const double at = d + std::log10(m);
      if (at > hi_decade) break;
      const double x = kLeft + kPlotWidth * (at - lo_decade) / (hi_decade - lo_decade);
      line(svg, x, kHistTop, x, kHistTop + kHistHeight, m == 1.0 ? "stroke:#bbb" : "stroke:#eee");
      const double ms = std::pow(10.0, at);
      text(svg, x, kHistTop + kHistHeight + 18, fmt(ms, "%g") + " " + labels.axis_unit);
    }
  }
  svg << "<text x=\"20\" y=\"" << fmt(kHistTop + kHistHeight / 2)
      << "\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 20 "
      << fmt(kHistTop + kHistHeight / 2) << ")\">" << escape(labels.count_noun) << "</text>\n";
}

}  // namespace

std::string latency_svg(const LatencyHistogram& corrected, const LatencyHistogram& uncorrected,
                        const std::string& title, const std::string& subtitle) {
  return latency_svg(corrected, uncorrected, title, subtitle, SvgLabels{});
}

std::string latency_svg(const LatencyHistogram& corrected, const LatencyHistogram& uncorrected,
                        const std::string& title, const std::string& subtitle,
                        const SvgLabels& labels) {
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
      << "\" viewBox=\"0 0 " << kWidth << ' ' << kHeight << "\" font-family=\"sans-serif\">\n";
  svg << "<rect width=\"100%\" height=\"100%\" style=\"fill:white\"/>\n";
  text(svg, kWidth / 2, 30, title, "middle", 18);
  text(svg, kWidth / 2, 52, subtitle, "middle", 12);
  percentile_curve(svg, corrected, uncorrected, labels);
  histogram_bars(svg, corrected, labels);
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace streamhost::latency
