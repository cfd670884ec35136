// LSQ restricted to three levels (Esser et al. 2020) and FATNN's fixed-level quantizer, hand-computed.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "ParamAccess.h"

#include "quant/FatnnQuantizer.h"
#include "quant/LsqQuantizer.h"

using namespace ternlab::quant;
using ternlab::testsupport::param;
using ternlab::testsupport::setParam;


TEST(QuantLsq, InitialStepIsTwiceMeanAbs) {
  auto x = torch::tensor({-1.0, -0.2, 0.1, 0.3, 0.8, 2.0});
  LsqQuantizer q;
  q.forward(x);
  EXPECT_NEAR(param(q, "s").item<double>(), 2.0 * 4.4 / 6, 1e-6);
  LsqQuantizer h(LsqOptions().halfRange(true));  // Qp = 2: 2·mean|x|/sqrt(2)
  h.forward(x.abs());
  EXPECT_NEAR(param(h, "s").item<double>(), 2.0 * 4.4 / 6 / std::sqrt(2.0), 1e-6);
}

TEST(QuantLsq, SignedForwardAndLsqGradients) {
  auto x = torch::tensor({-1.0, -0.2, 0.1, 0.3, 0.8, 2.0}, torch::requires_grad());
  LsqQuantizer q;
  q.forward(x);
  setParam(q, "s", 0.5);
  auto out = q.forward(x);
  // x/s = {−2, −0.4, 0.2, 0.6, 1.6, 4} → clip to [−1, 1] → round.
  EXPECT_TRUE(torch::allclose(out, torch::tensor({-0.5, 0.0, 0.0, 0.5, 0.5, 0.5}))) << out;
  EXPECT_TRUE(torch::equal(q.lastCodes()[0], torch::tensor({-1, 0, 0, 1, 1, 1}, torch::kInt8)));
  EXPECT_NEAR(q.lastThresholds()[0][0], 0.25, 1e-7);
  out.sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), torch::tensor({0.0, 1.0, 1.0, 1.0, 0.0, 0.0}))) << x.grad();
  // ∂q/∂s = −v + round(v) inside, −Qn / +Qp outside; scaled by 1/sqrt(numel·Qp).
  const double ds = (-1.0) + (0.4 + 0) + (-0.2 + 0) + (-0.6 + 1) + 1.0 + 1.0;
  EXPECT_NEAR(param(q, "s").grad().item<double>(), ds / std::sqrt(6.0), 1e-5);
}

TEST(QuantLsq, HalfRangeCodesAndStepGradient) {
  auto x = torch::tensor({0.0, 0.2, 0.6, 1.1, 3.0});
  LsqQuantizer q(LsqOptions().halfRange(true));
  q.forward(x);
  setParam(q, "s", 0.5);
  auto out = q.forward(x);
  EXPECT_TRUE(torch::equal(q.lastCodes()[0], torch::tensor({0, 0, 1, 2, 2}, torch::kInt8)));
  EXPECT_TRUE(torch::allclose(out, torch::tensor({0.0, 0.0, 0.5, 1.0, 1.0})));
  out.sum().backward();
  const double ds = 0.0 + (-0.4) + (-1.2 + 1) + 2.0 + 2.0;
  EXPECT_NEAR(param(q, "s").grad().item<double>(), ds / std::sqrt(5.0 * 2.0), 1e-5);
}

TEST(QuantFatnn, SignedFixedLevelsAndWidthGradients) {
  auto x = torch::tensor({-1.0, -0.3, -0.1, 0.1, 0.3, 0.7}, torch::requires_grad());
  FatnnQuantizer q;
  q.forward(x);
  setParam(q, "a0", 2.0);  // negative side: transition at −0.25
  setParam(q, "a1", 4.0);  // positive side: transition at 0.125
  setParam(q, "alpha", 1.5);
  for (auto& p : q.parameters()) p.mutable_grad() = at::Tensor();
  auto out = q.forward(x);
  EXPECT_TRUE(torch::equal(q.lastCodes()[0], torch::tensor({-1, -1, 0, 0, 1, 1}, torch::kInt8)));
  EXPECT_TRUE(torch::allclose(out, torch::tensor({-1.5, -1.5, 0.0, 0.0, 1.5, 1.5})));
  EXPECT_NEAR(q.lastThresholds()[0][0], 0.125, 1e-7);
  EXPECT_NEAR(q.lastThresholds()[0][1], -0.25, 1e-7);
  out.sum().backward();
  // ∂/∂a = α·Σ x inside the band (clip not saturated): a0 band x ∈ [−0.5, 0], a1 band x ∈ [0, 0.25].
  EXPECT_NEAR(param(q, "a0").grad().item<double>(), 1.5 * (-0.3 - 0.1), 1e-6);
  EXPECT_NEAR(param(q, "a1").grad().item<double>(), 1.5 * 0.1, 1e-6);
  EXPECT_NEAR(param(q, "alpha").grad().item<double>(), 0.0, 1e-6);  // Σ codes
  EXPECT_TRUE(torch::allclose(x.grad(), torch::tensor({0.0, 3.0, 3.0, 6.0, 0.0, 0.0}))) << x.grad();
}

TEST(QuantFatnn, HalfRangeActivationCodes) {
  auto x = torch::tensor({0.0, 0.2, 0.6, 1.0, 2.0}, torch::requires_grad());
  FatnnQuantizer q(FatnnOptions().halfRange(true));
  q.forward(x);
  setParam(q, "a0", 2.0);
  setParam(q, "a1", 1.0);
  setParam(q, "alpha", 1.0);
  for (auto& p : q.parameters()) p.mutable_grad() = at::Tensor();
  auto out = q.forward(x);
  EXPECT_TRUE(torch::equal(q.lastCodes()[0], torch::tensor({0, 0, 1, 1, 2}, torch::kInt8)));
  EXPECT_NEAR(q.lastThresholds()[0][0], 0.25, 1e-7);
  EXPECT_NEAR(q.lastThresholds()[0][1], 1.5, 1e-7);
  out.sum().backward();
  // First band x·a0 ∈ [0,1]: {0, 0.2}; second band x·a1 − 1 ∈ [0,1]: {1.0, 2.0}.
  EXPECT_NEAR(param(q, "a0").grad().item<double>(), 0.0 + 0.2, 1e-6);
  EXPECT_NEAR(param(q, "a1").grad().item<double>(), 1.0 + 2.0, 1e-6);
}

#include "nn/RPReLU.h"

TEST(QuantRPReLU, ShiftedPReLUPerChannel) {
  ternlab::nn::RPReLU act(2);
  {
    torch::NoGradGuard g;
    act->shiftIn.copy_(torch::tensor({0.5, -1.0}));
    act->slope.copy_(torch::tensor({0.1, 0.5}));
    act->shiftOut.copy_(torch::tensor({1.0, 0.0}));
  }
  // x: N=1, C=2, L=3.
  auto x = torch::tensor({0.0, 1.0, 2.0, -2.0, -1.0, 0.0}).reshape({1, 2, 3}).requires_grad_(true);
  auto y = act->forward(x);
  // c0: u = x − 0.5 = {−0.5, 0.5, 1.5} → {−0.05, 0.5, 1.5} + 1; c1: u = x + 1 = {−1, 0, 1} → {−0.5, 0, 1}.
  EXPECT_TRUE(torch::allclose(y, torch::tensor({0.95, 1.5, 2.5, -0.5, 0.0, 1.0}).reshape({1, 2, 3}))) << y;
  y.sum().backward();
  EXPECT_TRUE(torch::allclose(act->slope.grad(), torch::tensor({-0.5, -1.0 + 0.0})));
  EXPECT_TRUE(torch::allclose(act->shiftOut.grad(), torch::tensor({3.0, 3.0})));
  EXPECT_TRUE(torch::allclose(x.grad(), torch::tensor({0.1, 1.0, 1.0, 0.5, 0.5, 1.0}).reshape({1, 2, 3})));
}
