// The fused quantizer passes (AsymBiSte, UniformOps) against the unfused torch graphs they replace, on tensors
// large enough to span many parallel chunks, and their independence of the thread count.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "quant/AsymBiSte.h"
#include "quant/AsymQuantizer.h"
#include "quant/UniformOps.h"

using namespace ternlab::quant;

namespace {

struct Grads {
  at::Tensor out, z, alpha, t1, t2;
};

// out = α·codes with the bi-STE gradient: fused, or autograd of α·codes + α·(E − E.detach()) as before fusion.
Grads biSte(const at::Tensor& z0, const at::Tensor& g, double a, double p, double q, bool half, bool fused) {
  auto z = z0.clone().requires_grad_(true);
  auto alpha = torch::tensor(a, z0.options()).requires_grad_(true);
  auto t1 = torch::tensor(p, z0.options()).requires_grad_(true);
  auto t2 = torch::tensor(q, z0.options()).requires_grad_(true);
  at::Tensor out;
  if (fused) {
    out = asymBiSte(z, AsymPass{p, q, half, {}}, alpha, t1, t2);
  } else {
    const auto codes = AsymQuantizer::codesFor(z.detach(), p, q, half);
    const auto e = AsymQuantizer::expectedCode(z, t1, t2, half);
    out = alpha * codes + alpha.detach() * (e - e.detach());
  }
  (out * g).sum().backward();
  return {out.detach(), z.grad(), alpha.grad(), t1.grad(), t2.grad()};
}

void expectClose(double fused, double reference, const char* what) {
  EXPECT_NEAR(fused, reference, 1e-4 * std::max(1.0, std::abs(reference))) << what;
}

}  // namespace

TEST(QuantFusedOps, BiSteEqualsTheAutogradOfTheExpectedCode) {
  torch::manual_seed(3);
  const std::int64_t n = 300001;  // ~10 chunks and a ragged tail
  for (bool half : {false, true}) {
    auto z = half ? torch::rand({n}) * 2.4 - 0.2 : torch::randn({n}) * 0.7;
    auto g = torch::randn({n});
    const double t1 = half ? 0.41 : 0.33, t2 = half ? 1.07 : -0.52;
    const auto f = biSte(z, g, 0.8, t1, t2, half, true);
    const auto r = biSte(z, g, 0.8, t1, t2, half, false);
    EXPECT_TRUE(torch::equal(f.out, r.out)) << "half " << half;
    // Element-wise input gradient: same mask, same slope (1/2Δ products differ at most by rounding).
    EXPECT_TRUE(torch::allclose(f.z, r.z, 1e-6, 1e-6)) << "half " << half;
    EXPECT_EQ(f.z.ne(0).sum().item<std::int64_t>(), r.z.ne(0).sum().item<std::int64_t>());
    expectClose(f.alpha.item<double>(), r.alpha.item<double>(), "alpha");
    expectClose(f.t1.item<double>(), r.t1.item<double>(), "t1");
    expectClose(f.t2.item<double>(), r.t2.item<double>(), "t2");
    EXPECT_NE(f.t1.item<double>(), 0.0);
    EXPECT_NE(f.t2.item<double>(), 0.0);
  }
}

// Eq. 9's affine map folded into the asym passes: the output equals α·codes of gammaAffine(x) to the bit, and
// the gradients of x, γ, α and both thresholds are those of the unfused graph (affine, then the bi-STE).
TEST(QuantFusedOps, AffineFoldedIntoTheBiSteEqualsTheUnfusedChain) {
  torch::manual_seed(8);
  const std::int64_t n = 250003;
  const double k = 0.7312345678, shift = 0.2234567891;
  for (bool half : {false, true}) {
    const auto x0 = half ? torch::rand({n}) * 3.1 - 0.3 : torch::randn({n}) * 0.9;
    const auto g = torch::randn({n});
    const double p = half ? 0.52 : 0.47, q = half ? 1.49 : -0.55, a = 1.13, gv = 1.21;
    auto run = [&](bool folded) {
      auto x = x0.clone().requires_grad_(true);
      auto gamma = torch::tensor(gv, x0.options()).requires_grad_(true);
      auto alpha = torch::tensor(a, x0.options()).requires_grad_(true);
      auto t1 = torch::tensor(p, x0.options()).requires_grad_(true);
      auto t2 = torch::tensor(q, x0.options()).requires_grad_(true);
      at::Tensor out;
      if (folded) {
        out = asymBiSte(x, AsymPass{p, q, half, {gamma.item<double>(), k, shift}}, alpha, t1, t2, gamma);
      } else {
        const auto z = gammaAffine(x, gamma, k, shift);
        const auto codes = AsymQuantizer::codesFor(z.detach(), p, q, half);
        const auto e = AsymQuantizer::expectedCode(z, t1, t2, half);
        out = alpha * codes + alpha.detach() * (e - e.detach());
      }
      (out * g).sum().backward();
      return std::vector<at::Tensor>{out.detach(), x.grad(), gamma.grad(), alpha.grad(), t1.grad(), t2.grad()};
    };
    const auto f = run(true), r = run(false);
    EXPECT_TRUE(torch::equal(f[0], r[0])) << "half " << half;
    EXPECT_GT(f[0].ne(0).sum().item<std::int64_t>(), n / 4);
    EXPECT_TRUE(torch::allclose(f[1], r[1], 1e-6, 1e-6)) << "half " << half;
    EXPECT_EQ(f[1].ne(0).sum().item<std::int64_t>(), r[1].ne(0).sum().item<std::int64_t>());
    for (int i = 2; i < 6; ++i) {
      expectClose(f[i].item<double>(), r[i].item<double>(), "gamma, alpha, t1, t2");
      EXPECT_NE(f[i].item<double>(), 0.0) << i;
    }
    // The codes alone, as recomputed for a consumer, are those the output was made of.
    const auto codes = asymCodes(x0, AsymPass{p, q, half, {gv, k, shift}}).codes;
    EXPECT_TRUE(torch::equal(codes * a, f[0]));
  }
}

TEST(QuantFusedOps, CodesAndScaleSumsMatchTheirDefinition) {
  torch::manual_seed(4);
  auto z = torch::randn({200000});
  for (bool half : {false, true}) {
    const double t1 = half ? 0.2 : 0.5, t2 = half ? 0.9 : -0.4;
    const auto c = asymCodes(z, AsymPass{t1, t2, half, {}});
    const auto ref = AsymQuantizer::codesFor(z, t1, t2, half);
    EXPECT_TRUE(torch::equal(c.codes, ref));
    const double zc = (z.to(torch::kFloat64) * ref).sum().item<double>();
    EXPECT_NEAR(c.sumZC, zc, 1e-6 * std::abs(zc));  // float32 sums over 1,024-element blocks
    EXPECT_NEAR(c.sumCC, ref.square().sum().item<double>(), 1e-6);
  }
}

TEST(QuantFusedOps, ResultsDoNotDependOnTheThreadCount) {
  torch::manual_seed(5);
  auto z = torch::randn({500000});
  auto g = torch::randn({500000});
  const int before = at::get_num_threads();
  at::set_num_threads(1);
  const auto one = biSte(z, g, 0.9, 0.3, -0.4, false, true);
  const double rms1 = positiveRms(z), mean1 = meanStd(z).mean;
  at::set_num_threads(2);
  const auto two = biSte(z, g, 0.9, 0.3, -0.4, false, true);
  at::set_num_threads(before);
  EXPECT_EQ(one.t1.item<double>(), two.t1.item<double>());
  EXPECT_EQ(one.t2.item<double>(), two.t2.item<double>());
  EXPECT_EQ(one.alpha.item<double>(), two.alpha.item<double>());
  EXPECT_TRUE(torch::equal(one.z, two.z));
  EXPECT_EQ(rms1, positiveRms(z));
  EXPECT_EQ(mean1, meanStd(z).mean);
}

TEST(QuantFusedOps, BatchStatisticsMatchTorch) {
  torch::manual_seed(6);
  auto x = torch::randn({123457}) * 1.7 + 0.4;
  const auto s = meanStd(x);
  // Relative 1e-6: float32 sums over 1,024-element blocks, blocks summed in double.
  EXPECT_NEAR(s.mean, x.to(torch::kFloat64).mean().item<double>(), 1e-6 * 0.4);
  EXPECT_NEAR(s.std, x.to(torch::kFloat64).std().item<double>(), 1e-6 * 1.7);
  const auto pos = x.masked_select(x.gt(0)).to(torch::kFloat64);
  EXPECT_NEAR(positiveRms(x), std::sqrt(pos.square().mean().item<double>()), 1e-6 * 1.9);
  EXPECT_EQ(positiveRms(-x.abs()), 0.0);  // no positive element
}

TEST(QuantFusedOps, GammaAffineRoundsLikeTheUnfusedOpsAndHasTheirGradients) {
  torch::manual_seed(7);
  auto x0 = torch::randn({4, 16, 33, 33});
  auto g = torch::randn({4, 16, 33, 33});
  const double k = 0.8312345678, shift = -0.1234567891;
  auto run = [&](bool fused) {
    auto x = x0.clone().requires_grad_(true);
    auto gamma = torch::tensor(1.37f).requires_grad_(true);
    auto out = fused ? gammaAffine(x, gamma, k, shift) : gamma * (x * k + shift);
    (out * g).sum().backward();
    return std::make_tuple(out.detach(), x.grad(), gamma.grad().item<double>());
  };
  auto [of, xf, gf] = run(true);
  auto [oref, xref, gref] = run(false);
  EXPECT_EQ(of.sizes(), oref.sizes());
  EXPECT_TRUE(torch::equal(of, oref));  // bit for bit: export and the independent checker rely on it
  EXPECT_TRUE(torch::allclose(xf, xref, 1e-6, 1e-6));
  EXPECT_NEAR(gf, gref, 1e-3 * std::abs(gref));
}
