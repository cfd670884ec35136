#include "report/Statistics.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace ternlab::report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean(const std::vector<double>& x) { return std::accumulate(x.begin(), x.end(), 0.0) / x.size(); }

double variance(const std::vector<double>& x, double m) {
  double ss = 0;
  for (double v : x) ss += (v - m) * (v - m);
  return ss / (x.size() - 1);
}

// Two-sided p-value of t under Student's t with df degrees of freedom; a zero standard error gives
// t = ±∞ (p = 0) for a non-zero difference and t = 0 (p = 1) for none.
double twoSidedP(double t, double df) {
  if (std::isinf(t)) return 0.0;
  const boost::math::students_t dist(df);
  return std::min(1.0, 2.0 * boost::math::cdf(boost::math::complement(dist, std::fabs(t))));
}

double ratio(double diff, double se) {
  if (se > 0) return diff / se;
  return diff == 0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), diff);
}

}  // namespace

const char* testKindName(TestKind k) { return k == TestKind::Paired ? "paired t" : "Welch t"; }

SampleSummary summarize(const std::vector<double>& x, double confidence) {
  SampleSummary s;
  s.n = static_cast<int>(x.size());
  if (x.empty()) {
    s.mean = s.sd = s.ciHalf = s.min = s.max = kNaN;
    return s;
  }
  s.mean = mean(x);
  s.min = *std::min_element(x.begin(), x.end());
  s.max = *std::max_element(x.begin(), x.end());
  if (s.n < 2) {
    s.sd = s.ciHalf = kNaN;
    return s;
  }
  s.sd = std::sqrt(variance(x, s.mean));
  const boost::math::students_t dist(s.n - 1);
  s.ciHalf = boost::math::quantile(dist, 0.5 + confidence / 2) * s.sd / std::sqrt(static_cast<double>(s.n));
  return s;
}

Comparison welchTest(const std::vector<double>& a, const std::vector<double>& b) {
  Comparison c;
  c.kind = TestKind::Welch;
  c.nA = static_cast<int>(a.size());
  c.nB = static_cast<int>(b.size());
  if (c.nA < 2 || c.nB < 2) {
    c.t = c.p = c.effect = kNaN;
    c.meanDiff = a.empty() || b.empty() ? kNaN : mean(a) - mean(b);
    return c;
  }
  const double ma = mean(a), mb = mean(b), va = variance(a, ma), vb = variance(b, mb);
  const double qa = va / c.nA, qb = vb / c.nB;
  c.meanDiff = ma - mb;
  c.t = ratio(c.meanDiff, std::sqrt(qa + qb));
  // Welch–Satterthwaite degrees of freedom; with both variances zero any df gives the same p.
  c.df = qa + qb > 0 ? (qa + qb) * (qa + qb) / (qa * qa / (c.nA - 1) + qb * qb / (c.nB - 1)) : c.nA + c.nB - 2.0;
  c.p = twoSidedP(c.t, c.df);
  const double pooled = std::sqrt(((c.nA - 1) * va + (c.nB - 1) * vb) / (c.nA + c.nB - 2));
  c.effect = ratio(c.meanDiff, pooled);
  return c;
}

Comparison pairedTest(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("paired test: the samples differ in size");
  Comparison c;
  c.kind = TestKind::Paired;
  c.nA = c.nB = static_cast<int>(a.size());
  if (c.nA < 2) {
    c.t = c.p = c.effect = kNaN;
    c.meanDiff = a.empty() ? kNaN : a[0] - b[0];
    return c;
  }
  std::vector<double> d(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
  const double md = mean(d), sd = std::sqrt(variance(d, md));
  c.meanDiff = md;
  c.df = c.nA - 1;
  c.t = ratio(md, sd / std::sqrt(static_cast<double>(c.nA)));
  c.p = twoSidedP(c.t, c.df);
  c.effect = ratio(md, sd);
  return c;
}

Comparison oneSampleTest(const std::vector<double>& a, double mu) {
  return pairedTest(a, std::vector<double>(a.size(), mu));
}

std::vector<double> holmAdjust(const std::vector<double>& p) {
  // Tests without a p-value (too few seeds) are not part of the family and stay NaN.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (!std::isnan(p[i])) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return p[i] < p[j]; });
  std::vector<double> adjusted(p.size(), kNaN);
  const std::size_t m = order.size();
  double running = 0;  // step-down: an adjusted p never falls below the one before it
  for (std::size_t k = 0; k < m; ++k) {
    running = std::max(running, std::min(1.0, static_cast<double>(m - k) * p[order[k]]));
    adjusted[order[k]] = running;
  }
  return adjusted;
}

}  // namespace ternlab::report
