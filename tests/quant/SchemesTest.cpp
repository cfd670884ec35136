// TTQ, He et al. (ICS) and REL against hand-computed values and the papers' gradient equations.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "ParamAccess.h"

#include "quant/IcsQuantizer.h"
#include "quant/RelQuantizer.h"
#include "quant/TtqQuantizer.h"

using namespace ternlab::quant;
using ternlab::testsupport::param;
using ternlab::testsupport::setParam;


TEST(QuantTtq, ThresholdAndInitialScalesFromData) {
  // max|W| = 1.2, t = 0.3 → Δ = 0.36; |W| > Δ: {0.9, 0.4, 1.2, 0.6} → Wp = Wn = 3.1/4 = 0.775.
  auto w = torch::tensor({0.1, -0.9, 0.4, 1.2, -0.05, -0.6});
  TtqQuantizer q(0.3);
  auto out = q.forward(w);
  EXPECT_TRUE(torch::allclose(out, torch::tensor({0.0, -0.775, 0.775, 0.775, 0.0, -0.775}), 1e-6, 1e-6)) << out;
  EXPECT_TRUE(torch::equal(q.lastCodes()[0], torch::tensor({0, -1, 1, 1, 0, -1}, torch::kInt8)));
  EXPECT_NEAR(q.lastThresholds()[0][0], 0.36, 1e-6);
  TtqQuantizer fixed(0.3, 0.25);
  EXPECT_TRUE(torch::allclose(fixed.forward(w), torch::tensor({0.0, -0.25, 0.25, 0.25, 0.0, -0.25})));
}

TEST(QuantTtq, GradientsFollowEquation8) {
  auto w = torch::tensor({0.1, -0.9, 0.4, 1.2, -0.05, -0.6}, torch::requires_grad());
  TtqQuantizer q(0.3);
  q.forward(w);  // initialises Wp, Wn
  setParam(q, "wp", 2.0);
  setParam(q, "wn", 0.5);
  auto g = torch::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0});
  auto out = q.forward(w);
  EXPECT_TRUE(torch::allclose(out, torch::tensor({0.0, -0.5, 2.0, 2.0, 0.0, -0.5})));
  (out * g).sum().backward();
  EXPECT_NEAR(param(q, "wp").grad().item<double>(), 3.0 + 4.0, 1e-6);     // Σ_pos g
  EXPECT_NEAR(param(q, "wn").grad().item<double>(), -(2.0 + 6.0), 1e-6);  // −Σ_neg g
  // Latent: Wp·g on positives, g in the zero region, Wn·g on negatives.
  EXPECT_TRUE(torch::allclose(w.grad(), torch::tensor({1.0, 0.5 * 2, 2.0 * 3, 2.0 * 4, 5.0, 0.5 * 6}))) << w.grad();
}

TEST(QuantIcs, ForwardUsesGreaterOrEqualAndMeanAboveThreshold) {
  // max|W| = 2, β = 0.25 → Δ = 0.5 (exact in binary); |W| ≥ 0.5: {0.5, 2, 1.5, 0.5, 0.75, 1} → α = 6.25/6.
  auto w = torch::tensor({0.5, -2.0, 0.25, 1.5, -0.5, 0.75, -1.0});
  IcsQuantizer q(0.25);
  auto out = q.forward(w);
  const double a = 6.25 / 6;
  EXPECT_TRUE(torch::allclose(out, torch::tensor({a, -a, 0.0, a, -a, a, -a}), 1e-6, 1e-6)) << out;
  EXPECT_TRUE(torch::equal(q.lastCodes()[0], torch::tensor({1, -1, 0, 1, -1, 1, -1}, torch::kInt8)));
  EXPECT_DOUBLE_EQ(q.lastThresholds()[0][0], 0.5);
  EXPECT_NEAR(q.lastScales()[0][0], a, 1e-6);
}

TEST(QuantIcs, SteIsZeroWhereMagnitudeExceedsOne) {
  auto w = torch::tensor({0.5, -2.0, 0.25, 1.5, -0.5, 0.75, -1.0}, torch::requires_grad());
  IcsQuantizer q(0.25);
  auto g = torch::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0});
  (q.forward(w) * g).sum().backward();
  // eq. 4: pass where |w| ≤ 1 (the boundary −1.0 included), zero elsewhere.
  EXPECT_TRUE(torch::equal(w.grad(), torch::tensor({1.0, 0.0, 3.0, 0.0, 5.0, 6.0, 7.0}))) << w.grad();
}

TEST(QuantRel, TwoBranchesGiveExactlyFiveLevels) {
  torch::manual_seed(3);
  auto w = torch::randn({4000}) * 0.3;
  RelQuantizer q({std::make_shared<IcsQuantizer>(0.05), std::make_shared<IcsQuantizer>(0.3)});
  auto out = q.forward(w);
  ASSERT_EQ(q.lastCodes().size(), 2u);
  const double a1 = q.lastScales()[0][0], a2 = q.lastScales()[1][0];
  EXPECT_LT(q.lastThresholds()[0][0], q.lastThresholds()[1][0]);
  auto levels = std::get<0>(torch::_unique(out, /*sorted=*/true));
  auto expected = torch::tensor({-a1 - a2, -a1, 0.0, a1, a1 + a2}, torch::kFloat32);
  ASSERT_EQ(levels.numel(), 5) << levels;
  EXPECT_TRUE(torch::allclose(levels, expected, 1e-6, 1e-6)) << levels << expected;
  // Each branch is exactly its own ICS ternarization of the same latent weight.
  IcsQuantizer b2(0.3);
  b2.forward(w);
  EXPECT_TRUE(torch::equal(q.lastCodes()[1], b2.lastCodes()[0]));
  // Branch-2 non-zeros are a subset of branch-1 non-zeros (larger β, same sign).
  auto c1 = q.lastCodes()[0], c2 = q.lastCodes()[1];
  EXPECT_TRUE(c2.ne(0).logical_and(c1.ne(c2)).sum().item<int>() == 0);
}

TEST(QuantRel, LatentGradientIsTheSumOfBranchEstimators) {
  auto w = torch::tensor({0.5, -2.0, 0.25, 1.5, -0.05}, torch::requires_grad());
  RelQuantizer q({std::make_shared<IcsQuantizer>(0.05), std::make_shared<IcsQuantizer>(0.1)});
  q.forward(w).sum().backward();
  EXPECT_TRUE(torch::equal(w.grad(), torch::tensor({2.0, 0.0, 2.0, 0.0, 2.0}))) << w.grad();
}
