#pragma once
#include <string>
#include <vector>

namespace ternlab::report {

// What a handful of seeds of one experiment says: n, mean, sample standard deviation (n − 1), range and
// the half-width of the Student-t confidence interval of the mean, t_{(1+c)/2, n−1} · s / √n.
struct SampleSummary {
  int n = 0;
  double mean = 0, sd = 0, ciHalf = 0, min = 0, max = 0;
  bool hasSpread() const { return n >= 2; }  // sd and ciHalf are NaN below two values
};
SampleSummary summarize(const std::vector<double>& values, double confidence = 0.95);

// Which two-sample test a comparison used: Welch's unequal-variance t test for independent samples, or
// the paired t test when both samples come from the same seeds (value i of each shares seed i).
enum class TestKind { Welch, Paired };
const char* testKindName(TestKind k);

// A two-sided test of mean(a) = mean(b). effect is Cohen's d: the mean difference over the pooled sample
// standard deviation (Welch) or over the standard deviation of the differences (paired, d_z).
struct Comparison {
  TestKind kind = TestKind::Welch;
  int nA = 0, nB = 0;
  double meanDiff = 0;  // mean(a) − mean(b)
  double t = 0, df = 0, p = 1, effect = 0;
  bool valid() const { return df > 0; }  // false when a sample has fewer than two values
};
Comparison welchTest(const std::vector<double>& a, const std::vector<double>& b);
Comparison pairedTest(const std::vector<double>& a, const std::vector<double>& b);

// One sample against a fixed value (mean(a) = mu): t = (mean − mu) / (s / √n), n − 1 degrees of freedom;
// meanDiff = mean − mu and effect = (mean − mu) / s. Reported with kind Paired (it is the paired test's core).
Comparison oneSampleTest(const std::vector<double>& a, double mu);

// Holm's step-down correction for m simultaneous tests: adjusted p-values, in the input order; a test
// is significant at family-wise level α when its adjusted p ≤ α.
std::vector<double> holmAdjust(const std::vector<double>& p);

}  // namespace ternlab::report
