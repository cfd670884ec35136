#include "quant/AsymQuantizer.h"

#include "quant/AsymBiSte.h"
#include "quant/UniformOps.h"

#include <torch/torch.h>

#include <cmath>

namespace ternlab::quant {

namespace {
constexpr double kEps = 1e-6;
constexpr double kThird1 = 0.4307;  // Φ⁻¹(2/3): ±0.4307σ splits a Gaussian in thirds
constexpr double kThird2 = 0.9674;  // Φ⁻¹(5/6): with 0.4307σ, splits a half-Gaussian in thirds
}  // namespace

AsymQuantizer::AsymQuantizer(const AsymOptions& o) : o_(o) {
  t1_ = register_parameter("t1", torch::full({}, 0.5));
  t2_ = register_parameter("t2", torch::full({}, o.halfRange ? 1.5 : -0.5));
  if (o.learnScale)
    alpha_ = register_parameter("alpha", torch::ones({}));
  else
    alpha_ = register_buffer("alpha", torch::ones({}));
  initialized_ = register_buffer("initialized", torch::zeros({}));
}

at::Tensor AsymQuantizer::codesFor(const at::Tensor& z, double t1, double t2, bool halfRange) {
  if (halfRange) return z.ge(t1).to(z.scalar_type()) + z.ge(t2).to(z.scalar_type());
  return z.ge(t1).to(z.scalar_type()) - z.le(t2).to(z.scalar_type());  // eq. 8: z ≥ Δp → +1, z ≤ Δn → −1
}

// Bi-STE derivation (signed form). Eq. 7 ternarizes stochastically: for z > 0, q = +α with probability
// p⁺ = clip(z / 2Δp, 0, 1), else 0; for z < 0, q = −α with probability p⁻ = clip(z / 2Δn, 0, 1), else 0.
// (The paper prints −z/2Δn; with Δn < 0 and z < 0 that is never positive, so the sign is corrected here:
// z/2Δn = |z|/2|Δn|. Thresholding p at 1/2 gives eq. 8: z ≥ Δp → +α, z ≤ Δn → −α.)
// The expectation E[q] = α·(p⁺ − p⁻) is piecewise linear, and the bi-STE uses its derivatives:
//   z in (0, 2Δp):  ∂E/∂z = α / 2Δp,      ∂E/∂Δp = −α·z / 2Δp²
//   z in (2Δn, 0):  ∂E/∂z = α / 2|Δn|,    ∂E/∂Δn = +α·z / 2Δn²   (z < 0, so this is ≤ 0)
//   elsewhere:      0 (p saturated at 0 or 1).
// So the input's slope is the output/input aspect ratio of each half (the point of "bi"-STE), and a
// threshold moves by the mass of inputs inside its ramp. ∂q/∂α is taken from the deterministic forward
// (the code), as for any learned scale. Half-range form, codes {0,1,2}: the first step 0→1 ramps over
// (0, 2Δ1) with p₁ = clip(z / 2Δ1, 0, 1); the second 1→2 is centred on Δ2 with half-width Δ2 − Δ1,
// p₂ = clip((z − Δ1) / 2(Δ2 − Δ1), 0, 1) (p₂ ≥ ½ ⇔ z ≥ Δ2), and E[q] = α·(p₁ + p₂), giving in the ramps
//   ∂p₁/∂Δ1 = −z / 2Δ1²,  ∂p₂/∂Δ1 = (z − Δ2) / 2(Δ2 − Δ1)²,  ∂p₂/∂Δ2 = −(z − Δ1) / 2(Δ2 − Δ1)².
// Autograd of expectedCode() below produces exactly these expressions (clamp passes the gradient inside
// [0, 1] and blocks it outside); the tests compare it with finite differences.
at::Tensor AsymQuantizer::expectedCode(const at::Tensor& z, const at::Tensor& t1, const at::Tensor& t2,
                                       bool halfRange) {
  if (halfRange) {
    const auto p1 = torch::clamp(z / (2 * t1), 0.0, 1.0);
    const auto p2 = torch::clamp((z - t1) / (2 * (t2 - t1)), 0.0, 1.0);
    return p1 + p2;
  }
  const auto pos = z.gt(0).to(z.scalar_type()), neg = z.lt(0).to(z.scalar_type());
  return torch::clamp(z / (2 * t1), 0.0, 1.0) * pos - torch::clamp(z / (2 * t2), 0.0, 1.0) * neg;
}

at::Tensor AsymQuantizer::forward(const at::Tensor& z) { return quantize(z, at::Tensor(), InputAffine{}); }

at::Tensor AsymQuantizer::forwardAffine(const at::Tensor& x, const at::Tensor& gamma, const InputAffine& a) {
  return quantize(x, gamma, a);
}

at::Tensor AsymQuantizer::quantize(const at::Tensor& x, const at::Tensor& gamma, const InputAffine& affine) {
  AsymPass pass;
  pass.halfRange = o_.halfRange;
  pass.affine = affine;
  double alphaV = 0;
  at::Tensor codes;  // written out only where the scale is fitted to them or a consumer needs them at once
  {
    torch::NoGradGuard guard;
    const bool first = initialized_.item<double>() == 0;
    if (first) {
      const auto z = gamma.defined() ? gammaAffine(x, gamma, affine.k, affine.shift) : x;
      if (o_.unitInit) {
        t1_.fill_(0.5);
        t2_.fill_(o_.halfRange ? 1.5 : -0.5);
      } else if (o_.halfRange) {
        const auto posMask = z.gt(0);
        const double n = std::max(1.0, posMask.sum().item<double>());
        const double sigma = std::sqrt(z.masked_select(posMask).square().sum().item<double>() / n);
        t1_.fill_(std::max(kEps, o_.factor * sigma));
        t2_.fill_(std::max(2 * kEps, o_.factor * sigma * kThird2 / kThird1));
      } else {
        const double sigma = z.std().item<double>();
        t1_.fill_(std::max(kEps, o_.factor * sigma));
        t2_.fill_(std::min(-kEps, -o_.factor * sigma));
      }
    }
    // Keep the ordering valid: Δp ≥ ε ≥ −ε ≥ Δn, or ε ≤ Δ1 < Δ2.
    t1_.clamp_min_(kEps);
    if (o_.symmetric) t2_.fill_(o_.halfRange ? 3 * t1_.item<double>() : -t1_.item<double>());
    if (o_.halfRange)
      t2_.clamp_min_(t1_.item<double>() + kEps);
    else
      t2_.clamp_max_(-kEps);
    pass.t1 = t1_.item<double>();
    pass.t2 = t2_.item<double>();
    // A training step with a learned scale on an activation needs no codes of its own: the output pass makes
    // α·codes, and the codes are recomputed from the activation only if something asks for them.
    const bool fitScale = !o_.learnScale || first;
    if (fitScale || !codesCanWait(x)) {
      auto fused = asymCodes(x, pass);  // = codesFor(z), with Σz·c and Σc² from the same pass
      codes = fused.codes;
      const double fit = fused.sumCC > 0 ? fused.sumZC / fused.sumCC : 0.0;  // least squares α (= mean |z| above Δ)
      if (fitScale) alpha_.fill_(fit);
    }
    initialized_.fill_(1);
    alphaV = alpha_.item<double>();
  }
  if (codes.defined())
    remember({codes}, {{pass.t1, pass.t2}}, {{alphaV}});
  else
    rememberFromInput(x, [pass](const at::Tensor& in) { return asymCodes(in, pass).codes; }, {{pass.t1, pass.t2}},
                      {{alphaV}});
  const double gs = o_.gradScale ? 1.0 / std::sqrt(static_cast<double>(std::max<std::int64_t>(1, x.numel()))) : 1.0;
  auto scaled = [gs](const at::Tensor& p) { return gs == 1.0 ? p : (p - p * gs).detach() + p * gs; };
  const auto alpha = o_.learnScale ? scaled(alpha_) : alpha_;
  const auto t1 = scaled(t1_);
  // Symmetric: Δ2 is a function of Δ1, so Δ1 collects the gradient of both ramps (Δ2 gets none).
  const auto t2 = o_.symmetric ? (o_.halfRange ? 3 * t1 : -t1) : scaled(t2_);
  // Value α·codes; gradient that of α·codes + α·(E[q] − E[q].detach()) with E = expectedCode(), fused.
  return asymBiSte(x, pass, alpha, t1, t2, gamma);
}

}  // namespace ternlab::quant
