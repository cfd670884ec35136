// TWN against hand-computed values (Li et al. 2016): Δ = 0.7·E|W|, α = mean |W| over |W| > Δ, STE.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "quant/TwnQuantizer.h"

using ternlab::quant::TwnQuantizer;

TEST(TwnQuantizer, ForwardMatchesHandComputedThresholdAndScale) {
  // |W| = {0.1, 0.9, 0.4, 1.2, 0.05, 0.6}; E|W| = 3.25/6 = 0.541666…; Δ = 0.7·E|W| = 0.3791666…
  // |W| > Δ: {0.9, 0.4, 1.2, 0.6} → α = 3.1/4 = 0.775.
  auto w = torch::tensor({0.1, -0.9, 0.4, 1.2, -0.05, -0.6}, torch::kFloat32);
  TwnQuantizer q(0.7);
  auto out = q.forward(w);
  auto expected = torch::tensor({0.0, -0.775, 0.775, 0.775, 0.0, -0.775}, torch::kFloat32);
  EXPECT_TRUE(torch::allclose(out, expected, 1e-6, 1e-6)) << out;
  ASSERT_EQ(q.lastCodes().size(), 1u);
  auto codes = q.lastCodes()[0];
  EXPECT_TRUE(torch::equal(codes, torch::tensor({0, -1, 1, 1, 0, -1}, torch::kInt8)));
  EXPECT_NEAR(q.lastThresholds()[0][0], 0.7 * 3.25 / 6, 1e-6);
  EXPECT_NEAR(q.lastScales()[0][0], 0.775, 1e-6);
}

TEST(TwnQuantizer, FactorIsConfigurable) {
  auto w = torch::tensor({0.1, -0.9, 0.4, 1.2, -0.05, -0.6}, torch::kFloat32);
  TwnQuantizer q(1.0);  // Δ = 0.541666…: only {0.9, 1.2, 0.6} survive, α = 0.9
  auto out = q.forward(w);
  EXPECT_TRUE(torch::allclose(out, torch::tensor({0.0, -0.9, 0.0, 0.9, 0.0, -0.9}), 1e-6, 1e-6)) << out;
}

TEST(TwnQuantizer, StraightThroughGradientIsIdentity) {
  auto w = torch::tensor({0.1, -0.9, 0.4, 1.2, -0.05, -0.6}, torch::requires_grad());
  TwnQuantizer q;
  auto g = torch::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0});
  (q.forward(w) * g).sum().backward();
  EXPECT_TRUE(torch::equal(w.grad(), g));
}

TEST(TwnQuantizer, StatsReportFractionsAndEntropy) {
  auto w = torch::tensor({0.1, -0.9, 0.4, 1.2, -0.05, -0.6});
  TwnQuantizer q;
  q.forward(w);
  auto s = q.lastStats().at(0);
  EXPECT_EQ(s.numel, 6);
  EXPECT_NEAR(s.fracNeg, 2.0 / 6, 1e-12);
  EXPECT_NEAR(s.fracZero, 2.0 / 6, 1e-12);
  EXPECT_NEAR(s.fracPos, 2.0 / 6, 1e-12);
  EXPECT_NEAR(s.entropy, std::log2(3.0), 1e-9);
  EXPECT_NEAR(s.density(), 4.0 / 6, 1e-12);
}
