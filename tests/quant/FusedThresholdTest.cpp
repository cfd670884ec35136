// The fused threshold passes (TWN, He et al., LSQ, FATNN) against the unfused torch graphs they replace, on tensors large
// enough to span many parallel chunks, and their independence of the thread count.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "quant/FatnnOps.h"
#include "quant/FatnnQuantizer.h"
#include "quant/ThresholdOps.h"

using namespace ternlab::quant;

namespace {

at::Tensor sample(std::int64_t n = 300000) {
  torch::manual_seed(7);
  return torch::randn({n / 100, 100});
}

}  // namespace

TEST(QuantFusedThreshold, CodesAndSumsMatchTheirDefinition) {
  const auto x = sample();
  const double delta = 0.7 * x.abs().mean().item<double>();
  for (bool inclusive : {false, true}) {
    const auto r = thresholdCodes(x, delta, inclusive);
    const auto mask = inclusive ? x.abs().ge(delta) : x.abs().gt(delta);
    EXPECT_TRUE(torch::equal(r.codes, x.sign() * mask.to(x.scalar_type())));
    EXPECT_NEAR(r.selectedCount, mask.sum().item<double>(), 0.0);
    EXPECT_NEAR(r.selectedAbsSum, x.abs().masked_select(mask).sum().item<double>(), 1e-6 * r.selectedAbsSum);
  }
  // At Δ = |x| exactly, only the inclusive form selects.
  const auto edge = torch::tensor({-0.5f, 0.5f, 0.25f});
  EXPECT_TRUE(torch::equal(thresholdCodes(edge, 0.5, false).codes, torch::tensor({0.0f, 0.0f, 0.0f})));
  EXPECT_TRUE(torch::equal(thresholdCodes(edge, 0.5, true).codes, torch::tensor({-1.0f, 1.0f, 0.0f})));
}

TEST(QuantFusedThreshold, StatisticsMatchTorchAndIgnoreTheThreadCount) {
  const auto x = sample();
  EXPECT_NEAR(absStatistic(x, AbsStatistic::Mean), x.abs().mean().item<double>(), 1e-6);
  EXPECT_EQ(absStatistic(x, AbsStatistic::Max), x.abs().max().item<double>());
  const int before = at::get_num_threads();
  at::set_num_threads(1);
  const double mean1 = absStatistic(x, AbsStatistic::Mean);
  const auto codes1 = thresholdCodes(x, mean1, false);
  at::set_num_threads(2);
  EXPECT_EQ(absStatistic(x, AbsStatistic::Mean), mean1);
  const auto codes2 = thresholdCodes(x, mean1, false);
  EXPECT_EQ(codes2.selectedAbsSum, codes1.selectedAbsSum);
  at::set_num_threads(before);
}

TEST(QuantFusedThreshold, StraightThroughPassesOrClipsTheGradient) {
  auto x = torch::tensor({-2.0f, -0.5f, 0.3f, 1.0f, 1.5f}, torch::requires_grad());
  const auto codes = thresholdCodes(x, 0.4, false).codes;
  const auto g = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f});
  auto out = straightThrough(x, codes, 0.8);
  EXPECT_TRUE(torch::equal(out.detach(), torch::tensor({-0.8f, -0.8f, 0.0f, 0.8f, 0.8f})));
  (out * g).sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), g));  // TWN: the identity
  x.mutable_grad() = at::Tensor();
  (straightThrough(x, codes, 0.8, 1.0) * g).sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), torch::tensor({0.0f, 2.0f, 3.0f, 4.0f, 0.0f})));  // He et al. eq. 4: |x| ≤ 1
}

// LSQ: the fused pass against the graph it replaced (gradscale and roundpass written as in the paper).
TEST(QuantFusedThreshold, LsqMatchesTheGradscaleRoundpassGraph) {
  const auto x0 = sample() * 0.7;
  const auto g = torch::randn_like(x0);
  for (double qn : {0.0, 1.0}) {
    const double qp = qn == 0 ? 2.0 : 1.0, sv = 0.37, scale = 1.0 / std::sqrt(x0.numel() * qp);
    auto x = x0.clone().requires_grad_(true);
    auto s = torch::tensor(sv).requires_grad_(true);
    const auto fused = lsqQuantize(x, s, qn, qp, scale);
    (fused.value * g).sum().backward();
    auto xr = x0.clone().requires_grad_(true);
    auto sr = torch::tensor(sv).requires_grad_(true);
    const auto sg = (sr - sr * scale).detach() + sr * scale;
    const auto v = torch::clamp(xr / sg, -qn, qp);
    const auto ref = ((torch::round(v) - v).detach() + v) * sg;
    (ref * g).sum().backward();
    EXPECT_TRUE(torch::allclose(fused.value, ref.detach(), 1e-6, 1e-6));
    EXPECT_TRUE(torch::equal(fused.codes, torch::round(torch::clamp(x0 / sv, -qn, qp))));
    EXPECT_TRUE(torch::allclose(x.grad(), xr.grad(), 1e-5, 1e-6));
    EXPECT_NEAR(s.grad().item<double>(), sr.grad().item<double>(), 1e-4 * std::abs(sr.grad().item<double>()));
  }
}

// FATNN: the fused pass against the round-pass graph it replaced.
TEST(QuantFusedThreshold, FatnnMatchesTheRoundPassGraph) {
  const auto x0 = sample();
  const auto g = torch::randn_like(x0);
  auto roundPass = [](const at::Tensor& v) { return (torch::round(v) - v).detach() + v; };
  for (bool half : {false, true}) {
    auto x = x0.clone().requires_grad_(true), xr = x0.clone().requires_grad_(true);
    auto param = [](double v) { return torch::tensor(v).requires_grad_(true); };
    auto a0 = param(1.3), a1 = param(0.9), alpha = param(0.6), r0 = param(1.3), r1 = param(0.9), ra = param(0.6);
    const auto value = fatnnQuantize(x, a0, a1, alpha, half);
    const auto codes = fatnnCodes(x0, 1.3, 0.9, half);
    (value * g).sum().backward();
    const auto y = half ? roundPass(torch::clamp(xr * r0, 0.0, 1.0)) + roundPass(torch::clamp(xr * r1 - 1.0, 0.0, 1.0))
                        : roundPass(torch::clamp(xr * r0, -1.0, 0.0)) + roundPass(torch::clamp(xr * r1, 0.0, 1.0));
    (ra * y * g).sum().backward();
    EXPECT_TRUE(torch::equal(codes, y.detach()));
    EXPECT_TRUE(torch::equal(value.detach(), codes * alpha.item<float>()));
    EXPECT_TRUE(torch::allclose(value.detach(), (ra * y).detach(), 1e-6, 1e-7));
    EXPECT_TRUE(torch::allclose(x.grad(), xr.grad(), 1e-5, 1e-6));
    for (auto [f, r] : {std::pair{a0, r0}, std::pair{a1, r1}, std::pair{alpha, ra}})
      EXPECT_NEAR(f.grad().item<double>(), r.grad().item<double>(), 1e-4 * std::max(1.0, std::abs(r.grad().item<double>())));
  }
}

// A FATNN training step on an activation writes no codes; asked for later they are those of the step's widths,
// and the value is α times them.
TEST(QuantFusedThreshold, FatnnCodesOfATrainingStepAreMadeWhenAskedFor) {
  for (bool half : {false, true}) {
    FatnnQuantizer q(FatnnOptions().halfRange(half));
    q.train();
    const auto source = sample().requires_grad_(true);
    q.forward(source * 1.0).sum().backward();  // the first step fits α and writes its codes
    const auto x = source * 0.9;               // an activation: the output of an op in the graph
    const auto value = q.forward(x);
    const double a0 = q.named_parameters()["a0"].item<double>(), a1 = q.named_parameters()["a1"].item<double>();
    const auto expected = fatnnCodes(x.detach(), a0, a1, half);
    EXPECT_GT(expected.ne(0).sum().item<std::int64_t>(), 0);
    EXPECT_TRUE(torch::equal(q.lastCodeValues()[0], expected)) << "half " << half;
    EXPECT_TRUE(torch::equal(value.detach(), expected * q.named_parameters()["alpha"].item<float>()));
  }
}
