#pragma once
#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// Asymmetric thresholds, symmetric scale (asymmetric paper, arXiv:2305.xxxx "uniform distribution", eq. 6-8),
// trained with the bi-STE: gradients of Δp, Δn and the input from the expected value of the stochastic form
// (eq. 7). Signed form: codes {-1,0,1} with Δn ≤ 0 ≤ Δp. Half-range form (post-ReLU activations): codes {0,1,2}
// with 0 < Δ1 < Δ2, the same construction applied to each of the two steps.
struct AsymOptions {
  double factor = 0.4307;  // initial thresholds ±factor·σ (half-range: factor·σ and factor·σ·0.9674/0.4307)
  bool learnScale = true;  // α learned (init: least-squares fit), else α = mean |z| above the threshold
  bool halfRange = false;
  bool unitInit = false;   // input is already normalised (eq. 9): thresholds start at ±0.5 / {0.5,1.5}, α at 1
  // Multiply the gradients of Δ and α by LSQ's 1/sqrt(numel) (values unchanged). The bi-STE threshold gradient
  // is a sum over every input inside the ramp and grows like 1/Δ²: without the scale, SGD at the weights'
  // learning rate throws the thresholds out of the weight range within a few steps.
  bool gradScale = true;
  // The symmetric arm of the paper's Table 3 ablation, same quantizer otherwise: one learned threshold,
  // Δn = −Δp (signed), or Δ2 = 3·Δ1 (half-range: thresholds midway between evenly spaced levels 0, α, 2α).
  bool symmetric = false;
};

class AsymQuantizer : public TensorQuantizer {
 public:
  explicit AsymQuantizer(const AsymOptions& o = {});
  at::Tensor forward(const at::Tensor& z) override;
  // Eq. 9's normalisation folded into the quantizer's passes: the same result as forward(γ·(k·x + shift)).
  at::Tensor forwardAffine(const at::Tensor& x, const at::Tensor& gamma, const InputAffine& a) override;
  std::string scheme() const override { return "asym"; }
  // The bi-STE surrogate (value not used, only its gradient): E[q]/α of the stochastic eq. 7 for the given
  // thresholds; exposed for the gradient tests.
  static at::Tensor expectedCode(const at::Tensor& z, const at::Tensor& t1, const at::Tensor& t2, bool halfRange);
  // Deterministic codes of eq. 8 (t1 = Δp, t2 = Δn in the signed form; t1 = Δ1, t2 = Δ2 in half-range).
  static at::Tensor codesFor(const at::Tensor& z, double t1, double t2, bool halfRange);
  at::Tensor t1() const { return t1_; }
  at::Tensor t2() const { return t2_; }
  at::Tensor alpha() const { return alpha_; }
  const AsymOptions& options() const { return o_; }

 private:
  at::Tensor quantize(const at::Tensor& x, const at::Tensor& gamma, const InputAffine& affine);

  AsymOptions o_;
  at::Tensor t1_, t2_, alpha_, initialized_;
};

}  // namespace ternlab::quant
