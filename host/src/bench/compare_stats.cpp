#include "bench/compare_stats.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdio>

namespace streamhost::host::bench {
namespace {

void check_values(const std::vector<double>& values, const char* name) {
  for (double v : values) {
    if (!std::isfinite(v) || v <= 0) {
      throw CompareError(std::string("every ") + name +
                         " value must be a positive time (a round with no records?)");
    }
  }
}

void check_confidence(double confidence) {
  if (!(confidence > 0.5 && confidence < 1)) {
    throw CompareError("the confidence must be between 0.5 and 1");
  }
}

double median_of_sorted(const std::vector<double>& sorted) {
  const size_t n = sorted.size();
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

}  // namespace

size_t min_paired_rounds(double confidence) {
  size_t needed = 1;
  while (2 * std::pow(0.5, static_cast<double>(needed)) > 1 - confidence) ++needed;
  return needed;
}

RatioEstimate paired_ratio(const std::vector<double>& a, const std::vector<double>& b,
                           double confidence) {
  check_confidence(confidence);
  if (a.size() != b.size()) {
    throw CompareError("paired rounds need as many rounds of A as of B (" +
                       std::to_string(a.size()) + " and " + std::to_string(b.size()) + ")");
  }
  check_values(a, "A");
  check_values(b, "B");
  const size_t n = a.size();
  std::vector<double> ratios(n);
  for (size_t i = 0; i < n; ++i) ratios[i] = b[i] / a[i];
  std::sort(ratios.begin(), ratios.end());

  // The interval [r_(k), r_(n+1-k)] (1-based order statistics) covers the median ratio with
  // probability 1 - 2 P(X <= k-1), X ~ Binomial(n, 1/2). Take the largest k that keeps that at or
  // above the confidence asked for.
  const double alpha = 1 - confidence;
  boost::math::binomial_distribution<double> signs(static_cast<double>(n), 0.5);
  size_t k = 0;
  for (size_t candidate = 1; candidate <= n / 2; ++candidate) {
    if (2 * boost::math::cdf(signs, static_cast<double>(candidate - 1)) <= alpha) k = candidate;
  }
  if (k == 0) {
    throw CompareError(std::to_string(n) + " rounds cannot give a " +
                       std::to_string(static_cast<int>(confidence * 100)) +
                       " % interval; run at least " +
                       std::to_string(min_paired_rounds(confidence)));
  }
  RatioEstimate e;
  e.ratio = median_of_sorted(ratios);
  e.low = ratios[k - 1];
  e.high = ratios[n - k];
  e.confidence = 1 - 2 * boost::math::cdf(signs, static_cast<double>(k - 1));
  e.n_a = e.n_b = n;
  // The sign test's p-value: how often B was slower, against a fair coin, two-sided.
  const auto slower = static_cast<double>(
      std::count_if(ratios.begin(), ratios.end(), [](double r) { return r > 1; }));
  const auto faster = static_cast<double>(
      std::count_if(ratios.begin(), ratios.end(), [](double r) { return r < 1; }));
  const double decided = slower + faster;
  if (decided > 0) {
    boost::math::binomial_distribution<double> fair(decided, 0.5);
    e.p_value = std::min(1.0, 2 * boost::math::cdf(fair, std::min(slower, faster)));
  }
  e.method = "paired rounds: median of per-round ratios, sign-test interval";
  return e;
}

RatioEstimate unpaired_ratio(const std::vector<double>& a, const std::vector<double>& b,
                             double confidence) {
  check_confidence(confidence);
  if (a.size() < 5 || b.size() < 5) {
    throw CompareError("comparing separate runs needs at least 5 rounds of each (have " +
                       std::to_string(a.size()) + " and " + std::to_string(b.size()) +
                       "); run bench with --rounds 10 or more");
  }
  check_values(a, "A");
  check_values(b, "B");
  const double m = static_cast<double>(a.size());
  const double n = static_cast<double>(b.size());
  std::vector<double> shifts;
  shifts.reserve(a.size() * b.size());
  double u = 0;  // Mann-Whitney U of B over A (ties count a half)
  for (double x : a) {
    for (double y : b) {
      shifts.push_back(std::log(y) - std::log(x));
      u += y > x ? 1.0 : (y == x ? 0.5 : 0.0);
    }
  }
  std::sort(shifts.begin(), shifts.end());
  const double sd = std::sqrt(m * n * (m + n + 1) / 12);
  boost::math::normal_distribution<double> standard;
  const double z = boost::math::quantile(standard, 1 - (1 - confidence) / 2);
  // The Mann-Whitney interval: the C-th smallest and largest pairwise shifts (1-based).
  const auto c = static_cast<size_t>(std::max(1.0, std::floor(m * n / 2 - z * sd)));
  RatioEstimate e;
  e.ratio = std::exp(median_of_sorted(shifts));
  e.low = std::exp(shifts[c - 1]);
  e.high = std::exp(shifts[shifts.size() - c]);
  e.confidence = confidence;
  e.n_a = a.size();
  e.n_b = b.size();
  e.p_value = std::min(
      1.0, 2 * boost::math::cdf(boost::math::complement(standard, std::abs(u - m * n / 2) / sd)));
  e.method = "separate runs: Hodges-Lehmann ratio, Mann-Whitney interval and U test";
  return e;
}

std::string verdict(const RatioEstimate& e) {
  char line[256];
  std::snprintf(line, sizeof line, "B/A = %.3f (%.0f %% interval %.3f-%.3f, p = %.2g): ", e.ratio,
                e.confidence * 100, e.low, e.high, e.p_value);
  std::string out = line;
  if (e.low <= 1 && e.high >= 1) return out + "no difference that the noise allows to tell";
  const double percent = std::abs(e.ratio - 1) * 100;
  std::snprintf(line, sizeof line, "B is %s by %.1f %%", e.ratio > 1 ? "slower" : "faster",
                e.ratio > 1 ? percent : (1 - e.ratio) * 100);
  return out + line;
}

}  // namespace streamhost::host::bench
