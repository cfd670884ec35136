#pragma once
#include <limits>
#include <memory>
#include <torch/arg.h>

#include "quant/RunningStats.h"
#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// Uniform-distribution normalisation (asymmetric paper eq. 9) in front of any quantizer:
//   Gaussian:       Z̃ = γ·(Z − μ)·0.5 / (0.4307·σ)   — ±0.4307σ (Φ⁻¹ thirds) land on the thresholds ±0.5;
//   half-Gaussian:  Z̃ = γ·(0.5 + (Z − 0.4307σ) / ((0.9674 − 0.4307)·σ)) — the thirds of a half-Gaussian
//                   (0.4307σ, 0.9674σ, σ = sqrt(mean Z² over Z > 0)) land on the half-range thresholds 0.5, 1.5.
// μ, σ are batch statistics treated as constants; γ is learned (init 1). The inner quantizer should place its
// thresholds at ±0.5 (or 0.5, 1.5): asym / lsq / fatnn do so when built with unit initialisation. Its output is in
// normalised units; the multiplicative part γ·k (foldFactor) is what the following BatchNorm absorbs at export.
// remember(): the inner codes and scales, thresholds mapped back to input units, γ.
// Named options of the eq. 9 normaliser, PyTorch style: UniformOptions().halfGaussian(true).trackRunning(true).
struct UniformOptions {
  TORCH_ARG(bool, halfGaussian) = false;  // the half-Gaussian form (post-ReLU activations, codes {0,1,2})
  TORCH_ARG(bool, trackRunning) = false;  // activations: k and shift follow a running average, frozen in eval
};

class UniformNormalizer : public TensorQuantizer {
 public:
  UniformNormalizer(std::shared_ptr<TensorQuantizer> inner, const UniformOptions& o);
  at::Tensor forward(const at::Tensor& x) override;
  std::string scheme() const override { return inner_->scheme(); }
  const std::shared_ptr<TensorQuantizer>& inner() const { return inner_; }
  bool halfGaussian() const { return half_; }
  at::Tensor gamma() const { return gamma_; }
  // Z̃ = foldFactor()·Z + foldShift() in the last forward.
  double foldFactor() const { return lastGamma_ * lastK_; }
  double foldShift() const { return lastGamma_ * lastRawShift_; }
  // The batch-statistics part alone, Z̃ = γ·(normScale()·Z + normShift()): what an independent checker
  // needs to recompute the codes in float32 exactly as the forward did.
  double normScale() const { return lastK_; }
  double normShift() const { return lastRawShift_; }

 private:
  std::shared_ptr<TensorQuantizer> inner_;
  bool half_;
  at::Tensor gamma_;
  double lastGamma_ = std::numeric_limits<double>::quiet_NaN();  // γ, k and shift of the last forward
  double lastK_ = std::numeric_limits<double>::quiet_NaN();
  double lastRawShift_ = 0;
  std::unique_ptr<RunningStats> running_;
};

// The factor by which a layer's output must be divided (folded into the next BatchNorm's scale) when the
// quantizer normalised its input by eq. 9: γ·k of the last forward; 1 for a quantizer without normalisation.
double uniformFoldFactor(const TensorQuantizer& q);

}  // namespace ternlab::quant
