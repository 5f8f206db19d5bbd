// Draws a latency distribution as a standalone SVG a person can open in a browser: the percentile
// curve on a log "1 / (1 - percentile)" x-axis as HdrHistogram's plotter draws it (corrected and
// uncorrected for coordinated omission), and below it a histogram on a log latency axis.
#pragma once

#include <streamhost/latency/histogram.hpp>
#include <string>

namespace streamhost::latency {

// What the picture says its curves and axes are. The defaults are the load tool's: µs histograms
// drawn in ms, latency of focus events from their intended and actual send times.
struct SvgLabels {
  std::string primary = "from intended send time (corrected for coordinated omission)";
  std::string secondary = "from actual send time (uncorrected)";  // empty: not in the legend
  std::string histogram_title = "Histogram of latency from intended send time (x: log scale)";
  std::string value_name = "latency";
  std::string axis_unit = "ms";
  double units_per_axis_unit = 1000;  // histogram units in one axis unit
  std::string count_noun = "focus events";
};

std::string latency_svg(const LatencyHistogram& corrected, const LatencyHistogram& uncorrected,
                        const std::string& title, const std::string& subtitle);
// The same with labels of the caller's; `uncorrected` may be empty (then not drawn).
std::string latency_svg(const LatencyHistogram& corrected, const LatencyHistogram& uncorrected,
                        const std::string& title, const std::string& subtitle,
                        const SvgLabels& labels);

}  // namespace streamhost::latency
