// Is B faster than A? On a shared 2-core machine one run each cannot say: timings move by tens
// of percent between runs. These estimate the ratio of B's medians to A's over repeated rounds,
// with a distribution-free confidence interval, the way Google Benchmark's compare.py (a
// Mann-Whitney U test) and criterion (intervals, not single numbers) answer it:
//
// - paired_ratio: A and B ran interleaved in one session (`bench --ab`), round i of each under the
//   same machine noise. The ratios b_i / a_i are summarised by their median, and the interval is
//   the sign test's (order statistics of the ratios, binomial coverage), which assumes nothing
//   about the noise's shape.
// - unpaired_ratio: A and B came from separate runs (`bench --compare A.json B.json`). The ratio is
//   exp of the Hodges-Lehmann shift between log(b) and log(a), with the Mann-Whitney interval
//   (normal approximation) and the U test's two-sided p-value.
//
// The binomial and normal quantiles come from Boost.Math, not from hand-written series.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace streamhost::host::bench {

struct RatioEstimate {
  double ratio = 1;          // B / A
  double low = 1, high = 1;  // the interval at `confidence`
  double confidence = 0.95;  // the interval's coverage (at least this, for the sign test)
  double p_value = 1;        // of "no difference"
  size_t n_a = 0, n_b = 0;
  std::string method;
};

struct CompareError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `a` and `b` hold one positive value per round (a median time), round i of A beside round i of
// B. Throws CompareError when they differ in length, a value is not positive and finite, or there
// are too few rounds for an interval at `confidence` (6 at 95 %).
RatioEstimate paired_ratio(const std::vector<double>& a, const std::vector<double>& b,
                           double confidence = 0.95);

// The fewest paired rounds that can give an interval at `confidence` (6 at 95 %, 11 at 99.9 %).
size_t min_paired_rounds(double confidence);

// Independent rounds of A and of B (at least 5 of each). Throws CompareError as above.
RatioEstimate unpaired_ratio(const std::vector<double>& a, const std::vector<double>& b,
                             double confidence = 0.95);

// One line for people: "B/A = 1.27 (95 % interval 1.21-1.33, p = 0.0001): B is slower by 27 %",
// or "... : no difference that the noise allows to tell" when the interval holds 1.
std::string verdict(const RatioEstimate& estimate);

}  // namespace streamhost::host::bench
