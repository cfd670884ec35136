// Asymmetric thresholds + bi-STE (asymmetric paper eq. 6-8) and the uniform normalisation (eq. 9).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "ParamAccess.h"

#include "quant/AsymQuantizer.h"
#include "quant/FatnnQuantizer.h"
#include "quant/LsqQuantizer.h"
#include "quant/UniformNormalizer.h"
#include "quant/UniformOps.h"

using namespace ternlab::quant;
using ternlab::testsupport::param;
using ternlab::testsupport::setParam;

namespace {
std::array<double, 3> fractions(const at::Tensor& codes, int lo) {
  const double n = static_cast<double>(codes.numel());
  return {codes.eq(lo).sum().item<double>() / n, codes.eq(lo + 1).sum().item<double>() / n,
          codes.eq(lo + 2).sum().item<double>() / n};
}
// Initialises q on z, then sets the thresholds the hand-computed cases use: Δp = 0.4, Δn = −0.25.
void setTestThresholds(AsymQuantizer& q, const at::Tensor& z) {
  q.forward(z);
  setParam(q, "t1", 0.4);
  setParam(q, "t2", -0.25);
}
}  // namespace

TEST(QuantAsym, ForwardUsesAsymmetricThresholdsAndOneScale) {
  auto z = torch::tensor({-1.0, -0.3, -0.1, 0.0, 0.2, 0.5, 0.9});
  AsymOptions o;
  o.learnScale = false;
  AsymQuantizer q(o);
  setTestThresholds(q, z);
  auto out = q.forward(z);
  // Codes by eq. 8; α = mean |z| over non-zero codes = (1 + 0.3 + 0.5 + 0.9)/4 = 0.675.
  EXPECT_TRUE(torch::equal(q.lastCodes()[0], torch::tensor({-1, -1, 0, 0, 0, 1, 1}, torch::kInt8)));
  const double a = 0.675;
  EXPECT_TRUE(torch::allclose(out, torch::tensor({-a, -a, 0.0, 0.0, 0.0, a, a}), 1e-6, 1e-6)) << out;
  EXPECT_NEAR(q.lastThresholds()[0][0], 0.4, 1e-7);
  EXPECT_NEAR(q.lastThresholds()[0][1], -0.25, 1e-7);
}

TEST(QuantAsym, InitialThresholdsAreFactorTimesSigma) {
  torch::manual_seed(5);
  auto z = torch::randn({10000}) * 0.2;
  AsymQuantizer q;  // factor 0.4307
  q.forward(z);
  const double sigma = z.std().item<double>();
  EXPECT_NEAR(param(q, "t1").item<double>(), 0.4307 * sigma, 1e-6);
  EXPECT_NEAR(param(q, "t2").item<double>(), -0.4307 * sigma, 1e-6);
}

TEST(QuantAsym, BiSteGradientsMatchHandDerivation) {
  auto z = torch::tensor({-1.0, -0.3, -0.1, 0.0, 0.2, 0.5, 0.9}, torch::requires_grad());
  AsymOptions o;
  o.gradScale = false;  // the raw bi-STE gradients (the scaled variant is checked below)
  AsymQuantizer q(o);  // learned α
  q.forward(z);
  setParam(q, "t1", 0.4);
  setParam(q, "t2", -0.25);
  setParam(q, "alpha", 2.0);
  for (auto& p : q.parameters()) p.mutable_grad() = at::Tensor();
  auto g = torch::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0});
  (q.forward(z) * g).sum().backward();
  // ∂/∂α = Σ code·g; ∂/∂Δp = Σ_{0<z<2Δp} −α z/(2Δp²)·g; ∂/∂Δn = Σ_{2Δn<z<0} α z/(2Δn²)·g.
  EXPECT_NEAR(param(q, "alpha").grad().item<double>(), -1 - 2 + 6 + 7, 1e-5);
  EXPECT_NEAR(param(q, "t1").grad().item<double>(), -2.0 * (5 * 0.2 + 6 * 0.5) / (2 * 0.16), 1e-4);
  EXPECT_NEAR(param(q, "t2").grad().item<double>(), 2.0 * (2 * -0.3 + 3 * -0.1) / (2 * 0.0625), 1e-4);
  // Input: α/2Δp = 2.5 inside (0, 0.8), α/2|Δn| = 4 inside (−0.5, 0), 0 elsewhere.
  EXPECT_TRUE(torch::allclose(z.grad(), torch::tensor({0.0, 8.0, 12.0, 0.0, 12.5, 15.0, 0.0}), 1e-5, 1e-5)) << z.grad();
}

// Analytic (autograd of the quantizer) against central finite differences of α·E[q] of eq. 7.
static void checkFiniteDifferences(bool halfRange) {
  torch::manual_seed(11);
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  auto z = halfRange ? torch::rand({400}, opts) * 2.0 : torch::randn({400}, opts) * 0.6;
  auto g = torch::randn({400}, opts);
  AsymOptions o;
  o.halfRange = halfRange;
  o.gradScale = false;
  AsymQuantizer q(o);
  q.to(torch::kFloat64);
  q.forward(z);
  const double t1 = halfRange ? 0.37 : 0.31, t2 = halfRange ? 1.13 : -0.43, alpha = 0.8;
  setParam(q, "t1", t1);
  setParam(q, "t2", t2);
  setParam(q, "alpha", alpha);
  auto zz = z.clone().requires_grad_(true);
  (q.forward(zz) * g).sum().backward();
  auto expected = [&](double a, double b, const at::Tensor& x) {
    return alpha * (AsymQuantizer::expectedCode(x, torch::tensor(a, opts), torch::tensor(b, opts), halfRange) * g)
                       .sum()
                       .item<double>();
  };
  const double h = 1e-7;
  const double fd1 = (expected(t1 + h, t2, z) - expected(t1 - h, t2, z)) / (2 * h);
  const double fd2 = (expected(t1, t2 + h, z) - expected(t1, t2 - h, z)) / (2 * h);
  EXPECT_NEAR(param(q, "t1").grad().item<double>(), fd1, 1e-5 * std::max(1.0, std::abs(fd1)));
  EXPECT_NEAR(param(q, "t2").grad().item<double>(), fd2, 1e-5 * std::max(1.0, std::abs(fd2)));
  EXPECT_NE(fd1, 0.0);
  EXPECT_NE(fd2, 0.0);
  // Input gradient, element-wise finite differences of the expected output.
  auto e = alpha * AsymQuantizer::expectedCode(z, torch::tensor(t1, opts), torch::tensor(t2, opts), halfRange);
  auto ep = alpha * AsymQuantizer::expectedCode(z + h, torch::tensor(t1, opts), torch::tensor(t2, opts), halfRange);
  auto em = alpha * AsymQuantizer::expectedCode(z - h, torch::tensor(t1, opts), torch::tensor(t2, opts), halfRange);
  auto fdz = (ep - em) / (2 * h) * g;
  EXPECT_TRUE(torch::allclose(zz.grad(), fdz, 1e-5, 1e-5));
  // The deterministic forward is the p ≥ ½ thresholding of the same stochastic form.
  auto codes = q.lastCodes()[0].to(torch::kFloat64);
  if (halfRange) {
    auto p1 = torch::clamp(z / (2 * t1), 0, 1), p2 = torch::clamp((z - t1) / (2 * (t2 - t1)), 0, 1);
    EXPECT_TRUE(torch::equal(codes, p1.ge(0.5).to(torch::kFloat64) + p2.ge(0.5).to(torch::kFloat64)));
  } else {
    auto pp = torch::clamp(z / (2 * t1), 0, 1), pn = torch::clamp(z / (2 * t2), 0, 1);
    EXPECT_TRUE(torch::equal(codes, (pp.ge(0.5) & z.gt(0)).to(torch::kFloat64) - (pn.ge(0.5) & z.lt(0)).to(torch::kFloat64)));
  }
}

TEST(QuantAsym, GradientScaleMultipliesOnlyQuantizerGradients) {
  auto z = torch::tensor({-1.0, -0.3, -0.1, 0.0, 0.2, 0.5, 0.9});
  auto run = [&](bool scaleOn) {
    AsymOptions o;
    o.gradScale = scaleOn;
    AsymQuantizer q(o);
    setTestThresholds(q, z);
    setParam(q, "alpha", 2.0);
    auto zz = z.clone().requires_grad_(true);
    auto out = q.forward(zz);
    (out * torch::arange(1, 8, torch::kFloat32)).sum().backward();
    return std::make_tuple(out.detach(), param(q, "t1").grad().item<double>(), param(q, "t2").grad().item<double>(),
                           param(q, "alpha").grad().item<double>(), zz.grad());
  };
  auto [o0, p0, n0, a0, z0] = run(false);
  auto [o1, p1, n1, a1, z1] = run(true);
  const double g = 1.0 / std::sqrt(7.0);
  EXPECT_TRUE(torch::equal(o0, o1));
  EXPECT_NEAR(p1, p0 * g, 1e-5);
  EXPECT_NEAR(n1, n0 * g, 1e-5);
  EXPECT_NEAR(a1, a0 * g, 1e-5);
  EXPECT_TRUE(torch::allclose(z0, z1));  // the input keeps the full bi-STE slope
}

TEST(QuantAsym, SignedBiSteMatchesFiniteDifferencesOfExpectedOutput) { checkFiniteDifferences(false); }
TEST(QuantAsym, HalfRangeBiSteMatchesFiniteDifferencesOfExpectedOutput) { checkFiniteDifferences(true); }

namespace {
// The quantizers that place their thresholds at ±0.5 (or 0.5, 1.5) when built with unit initialisation, the
// inner quantizers eq. 9's normalisation is made for.
const char* const kUnitInitInners[] = {"asym", "lsq", "fatnn"};

std::shared_ptr<TensorQuantizer> unitInitInner(const std::string& scheme, bool halfRange) {
  if (scheme == "lsq") return std::make_shared<LsqQuantizer>(LsqOptions().halfRange(halfRange).unitInit(true));
  if (scheme == "fatnn") return std::make_shared<FatnnQuantizer>(FatnnOptions().halfRange(halfRange).unitInit(true));
  AsymOptions o;
  o.unitInit = true;
  o.halfRange = halfRange;
  return std::make_shared<AsymQuantizer>(o);
}
}  // namespace

TEST(QuantUniform, GaussianSplitsInThirds) {
  torch::manual_seed(21);
  auto z = torch::randn({100000}) * 2.0 + 0.3;
  for (const char* inner : kUnitInitInners) {
    UniformNormalizer u(unitInitInner(inner, false), UniformOptions());
    u.forward(z);
    auto f = fractions(u.lastCodes()[0], -1);
    for (double x : f) EXPECT_NEAR(x, 1.0 / 3, 0.01) << "inner " << inner;
    // Thresholds reported in input units: μ ± 0.4307σ.
    EXPECT_NEAR(u.lastThresholds()[0][0], 0.3 + 0.4307 * 2.0, 0.03);
    EXPECT_DOUBLE_EQ(u.lastStats()[0].gamma, 1.0);
    EXPECT_NEAR(uniformFoldFactor(u), 0.5 / (0.4307 * z.std().item<double>()), 1e-6);
  }
  // Without the normalisation the same data is far from thirds (TWN-like data-free LSQ init).
  LsqQuantizer plain;
  plain.forward(z);
  EXPECT_GT(std::abs(fractions(plain.lastCodes()[0], -1)[1] - 1.0 / 3), 0.05);
}

TEST(QuantUniform, HalfGaussianSplitsInThirds) {
  torch::manual_seed(22);
  auto z = (torch::randn({100000}) * 1.5).abs();
  for (const char* inner : kUnitInitInners) {
    UniformNormalizer u(unitInitInner(inner, true), UniformOptions().halfGaussian(true));
    u.forward(z);
    auto f = fractions(u.lastCodes()[0], 0);
    for (double x : f) EXPECT_NEAR(x, 1.0 / 3, 0.01) << "inner " << inner;
    EXPECT_NEAR(u.lastThresholds()[0][0], 0.4307 * 1.5, 0.02);
    EXPECT_NEAR(u.lastThresholds()[0][1], 0.9674 * 1.5, 0.03);
  }
}

TEST(QuantUniform, GammaIsLearnedAndScalesTheNormalisedInput) {
  torch::manual_seed(23);
  auto z = torch::randn({1000});
  AsymOptions o;
  o.unitInit = true;
  UniformNormalizer u(std::make_shared<AsymQuantizer>(o), UniformOptions());
  u.forward(z).pow(2).sum().backward();
  EXPECT_TRUE(u.gamma().grad().defined());
  EXPECT_NE(u.gamma().grad().item<double>(), 0.0);
  { torch::NoGradGuard g; u.gamma().fill_(2.0); }
  u.forward(z);
  EXPECT_DOUBLE_EQ(u.lastStats()[0].gamma, 2.0);
  // γ = 2 halves the thresholds in input units: the zero band narrows.
  EXPECT_NEAR(u.lastThresholds()[0][0] - z.mean().item<double>(), 0.4307 * z.std().item<double>() / 2, 1e-4);
}

// A training step folds eq. 9 into the asym passes and writes no codes; asked for later, they are recomputed
// and are exactly those of the normalised input the step quantized (γ·(k·x + shift), then eq. 8).
TEST(QuantUniform, CodesOfAFoldedTrainingStepAreMadeWhenAskedFor) {
  torch::manual_seed(24);
  for (bool half : {false, true}) {
    AsymOptions o;
    o.unitInit = true;
    o.halfRange = half;
    auto inner = std::make_shared<AsymQuantizer>(o);
    UniformNormalizer u(inner, UniformOptions().halfGaussian(half));
    u.train();
    auto x = half ? (torch::randn({2, 8, 9, 9}) * 1.3).relu() : torch::randn({2, 8, 9, 9}) * 0.8 + 0.1;
    u.forward(x).sum().backward();  // the first step fits α and writes its codes
    { torch::NoGradGuard g; u.gamma().fill_(1.1); }
    const auto source = x.clone().requires_grad_(true);
    auto x2 = source + 0.05;  // an activation: the output of an op in the graph
    const auto out = u.forward(x2);  // a folded step
    const auto z = gammaAffine(x2.detach(), u.gamma(), u.normScale(), u.normShift()).detach();
    const auto expected = AsymQuantizer::codesFor(z, inner->t1().item<double>(), inner->t2().item<double>(), half);
    EXPECT_TRUE(torch::equal(u.lastCodeValues()[0], expected)) << "half " << half;
    EXPECT_TRUE(torch::equal(inner->lastCodes()[0], expected.to(torch::kInt8))) << "half " << half;
    EXPECT_TRUE(torch::equal(out.detach(), expected * inner->alpha().item<float>()));
    // Changed in place before anyone asked: the codes cannot be recomputed, and the reader is told so.
    u.forward(x2);
    { torch::NoGradGuard g; x2.add_(1.0); }
    EXPECT_THROW(u.lastCodes(), std::logic_error);
  }
}

// Table 3's symmetric arm: Δn = −Δp (signed) or Δ2 = 3Δ1 (half-range); by the chain rule the one
// learned threshold gets ∂L/∂Δp − ∂L/∂Δn (signed) or ∂L/∂Δ1 + 3·∂L/∂Δ2 (half-range) of the free quantizer.
TEST(QuantAsym, SymmetricOptionTiesTheThresholdsAndSumsTheirGradients) {
  for (bool half : {false, true}) {
    auto z = half ? torch::tensor({0.0, 0.1, 0.25, 0.4, 0.7, 0.95, 1.3}) : torch::tensor({-1.0, -0.3, -0.1, 0.0, 0.2, 0.5, 0.9});
    auto run = [&](bool symmetric, double t2) {
      AsymOptions o;
      o.gradScale = false;
      o.halfRange = half;
      o.symmetric = symmetric;
      AsymQuantizer q(o);
      q.forward(z);
      setParam(q, "t1", 0.3);
      setParam(q, "t2", t2);
      setParam(q, "alpha", 2.0);
      auto zz = z.clone().requires_grad_(true);
      auto out = q.forward(zz);
      (out * torch::arange(1, 8, torch::kFloat32)).sum().backward();
      const auto g2 = param(q, "t2").grad();
      return std::make_tuple(q.lastCodes()[0].clone(), q.lastThresholds()[0], param(q, "t1").grad().item<double>(),
                             g2.defined() ? g2.item<double>() : 0.0);
    };
    const double tied = half ? 0.9 : -0.3;
    auto [codesFree, thrFree, g1, g2] = run(false, tied);
    auto [codesSym, thrSym, s1, s2] = run(true, 12345.0);  // the stored Δ2 is overwritten by the tie
    EXPECT_TRUE(torch::equal(codesFree, codesSym)) << "half " << half;
    EXPECT_NEAR(thrSym[1], tied, 1e-7);
    const double expected = half ? g1 + 3 * g2 : g1 - g2;
    EXPECT_NEAR(s1, expected, 1e-6 * std::max(1.0, std::abs(expected))) << "half " << half;  // float32 sums
    EXPECT_EQ(s2, 0.0);
  }
}
