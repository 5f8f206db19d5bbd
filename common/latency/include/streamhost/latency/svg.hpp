// Draws a latency distribution as a standalone SVG a person can open in a browser: the percentile
// curve on a log "1 / (1 - percentile)" x-axis as HdrHistogram's plotter draws it (corrected and
// uncorrected for coordinated omission), and below it a histogram on a log latency axis.
#pragma once

#include <string>

#include <streamhost/latency/histogram.hpp>

namespace streamhost::latency {

// Histograms hold microseconds; the picture is labelled in milliseconds.
std::string latency_svg(const LatencyHistogram& corrected, const LatencyHistogram& uncorrected,
                        const std::string& title, const std::string& subtitle);

}  // namespace streamhost::latency
