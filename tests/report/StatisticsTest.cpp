// Seed statistics against values computed by hand (exact arithmetic with the regularised incomplete beta
// function for Student's t, 30 digits), not by the library under test.
#include <gtest/gtest.h>

#include <cmath>

#include "report/Statistics.h"

using namespace ternlab::report;

namespace {
const std::vector<double> kA{89.1, 89.4, 89.3, 88.9, 89.6};
}

TEST(Statistics, SummaryHasTheStudentTInterval) {
  const auto s = summarize({1, 2, 3, 4, 5});
  EXPECT_EQ(s.n, 5);
  EXPECT_DOUBLE_EQ(s.mean, 3.0);
  EXPECT_NEAR(s.sd, 1.58113883008419, 1e-12);  // √2.5
  // t_{0.975, 4} = 2.776445105197794; half-width = t · s / √5.
  EXPECT_NEAR(s.ciHalf, 1.963243161477558, 1e-9);
  EXPECT_DOUBLE_EQ(s.min, 1.0);
  EXPECT_DOUBLE_EQ(s.max, 5.0);
  const auto three = summarize({90.91, 90.52, 91.10});  // t_{0.975, 2} = 4.302652729749464
  EXPECT_NEAR(three.mean, 90.84333333333333, 1e-12);
  EXPECT_NEAR(three.ciHalf, 0.7345378607981136, 1e-9);
}

TEST(Statistics, OneValueHasNoSpread) {
  const auto s = summarize({88.0});
  EXPECT_EQ(s.n, 1);
  EXPECT_DOUBLE_EQ(s.mean, 88.0);
  EXPECT_FALSE(s.hasSpread());
  EXPECT_TRUE(std::isnan(s.sd));
  EXPECT_TRUE(std::isnan(s.ciHalf));
  EXPECT_EQ(summarize({}).n, 0);
}

TEST(Statistics, WelchTestWithUnequalSizes) {
  const auto c = welchTest(kA, {88.7, 88.9, 89.0, 88.5, 88.8, 88.6});
  EXPECT_EQ(c.kind, TestKind::Welch);
  EXPECT_NEAR(c.meanDiff, 0.51, 1e-12);
  EXPECT_NEAR(c.t, 3.567800534296802, 1e-9);
  EXPECT_NEAR(c.df, 6.947620456310321, 1e-9);  // Welch–Satterthwaite
  EXPECT_NEAR(c.p, 0.009238641805259710, 1e-9);
  EXPECT_NEAR(c.effect, 2.238891206150144, 1e-9);  // Cohen's d, pooled s
}

TEST(Statistics, PairedTestOnSeedDifferences) {
  const auto c = pairedTest(kA, {88.9, 89.3, 89.0, 88.9, 89.2});
  EXPECT_EQ(c.kind, TestKind::Paired);
  EXPECT_DOUBLE_EQ(c.df, 4.0);
  EXPECT_NEAR(c.meanDiff, 0.2, 1e-12);
  EXPECT_NEAR(c.t, 2.828427124746190, 1e-9);
  EXPECT_NEAR(c.p, 0.04742065558431963, 1e-9);
  EXPECT_NEAR(c.effect, 1.264911064067352, 1e-9);  // d_z
  EXPECT_THROW(pairedTest(kA, {1.0, 2.0}), std::invalid_argument);
}

TEST(Statistics, OneSampleAgainstAFixedValue) {
  const auto c = oneSampleTest({1, 2, 3, 4, 5}, 2.0);  // t = 1 / (√2.5 / √5) = √2
  EXPECT_NEAR(c.meanDiff, 1.0, 1e-12);
  EXPECT_NEAR(c.t, 1.414213562373095, 1e-12);
  EXPECT_NEAR(c.p, 0.2301996410804990, 1e-9);
}

TEST(Statistics, IdenticalSamplesAndZeroSpread) {
  const auto same = welchTest({1, 1, 1}, {1, 1, 1});
  EXPECT_DOUBLE_EQ(same.p, 1.0);
  const auto apart = welchTest({2, 2, 2}, {1, 1, 1});
  EXPECT_DOUBLE_EQ(apart.p, 0.0);
  EXPECT_TRUE(std::isinf(apart.t));
  const auto tooFew = welchTest({1}, {1, 2, 3});
  EXPECT_FALSE(tooFew.valid());
  EXPECT_TRUE(std::isnan(tooFew.p));
}

TEST(Statistics, HolmStepDown) {
  // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → raised to 0.06.
  const auto adj = holmAdjust({0.01, 0.04, 0.03, 0.005});
  ASSERT_EQ(adj.size(), 4u);
  EXPECT_NEAR(adj[0], 0.03, 1e-15);
  EXPECT_NEAR(adj[1], 0.06, 1e-15);
  EXPECT_NEAR(adj[2], 0.06, 1e-15);
  EXPECT_NEAR(adj[3], 0.02, 1e-15);
  // A test without a p-value is not counted in m.
  const auto partial = holmAdjust({0.02, NAN, 0.5});
  EXPECT_NEAR(partial[0], 0.04, 1e-15);
  EXPECT_TRUE(std::isnan(partial[1]));
  EXPECT_NEAR(partial[2], 0.5, 1e-15);
  EXPECT_NEAR(holmAdjust({0.6, 0.7})[0], 1.0, 1e-15);  // capped at 1
}
