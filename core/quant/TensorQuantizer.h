#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "quant/BranchStats.h"

namespace ternlab::quant {

// The affine map z = γ·(k·x + shift) that eq. 9's normalisation puts in front of a quantizer (UniformNormalizer).
struct InputAffine {
  double gamma = 1, k = 1, shift = 0;
};

// Base of every fake-quantizer in the training graph: forward() returns the de-quantized tensor
// whose gradient follows the scheme's estimator, and remembers the integer codes it used.
class TensorQuantizer : public torch::nn::Module {
 public:
  virtual at::Tensor forward(const at::Tensor& x) = 0;
  virtual std::string scheme() const = 0;
  // forward(γ·(k·x + shift)) for a quantizer that folds the map into its own pass (gamma: the learned 0-dim γ,
  // whose value is a.gamma); an undefined tensor from one that does not, and the caller applies the map itself.
  virtual at::Tensor forwardAffine(const at::Tensor& x, const at::Tensor& gamma, const InputAffine& a) {
    (void)x, (void)gamma, (void)a;
    return {};
  }
  // One int8 code tensor in {-1,0,1} (or {0,1,2} for half-range activations) per branch,
  // exactly as used by the last forward; empty before the first forward.
  // Converted on first access: the training loop itself never pays for the int8 copy.
  const std::vector<at::Tensor>& lastCodes() const;
  // The same codes as the forward made them (floating point, no copy; made on first access where the
  // forward fused them into its output).
  const std::vector<at::Tensor>& lastCodeValues() const;
  // Per-branch statistics of the last forward.
  std::vector<BranchStats> lastStats() const;
  // Thresholds and scales of branch b as used by the last forward.
  const std::vector<std::vector<double>>& lastThresholds() const { return lastThresholds_; }
  const std::vector<std::vector<double>>& lastScales() const { return lastScales_; }
  // Parameters that are quantizer state (scales, thresholds, γ) rather than weights.
  std::vector<at::Tensor> quantParameters() { return parameters(); }

 protected:
  void remember(std::vector<at::Tensor> codes, std::vector<std::vector<double>> thresholds,
                std::vector<std::vector<double>> scales, double gamma = std::numeric_limits<double>::quiet_NaN());
  // The same, for a forward that never wrote its codes out: makeCodes() recomputes exactly those codes, and
  // runs only when a consumer (statistics, export, the kernel view) asks for them.
  void rememberLazy(std::function<std::vector<at::Tensor>()> makeCodes, std::vector<std::vector<double>> thresholds,
                    std::vector<std::vector<double>> scales, double gamma = std::numeric_limits<double>::quiet_NaN());
  // Whether a forward on x may leave its codes to be made on first access: a training step on an activation
  // (not a leaf). Eval needs them at once (QuantLayer's eval forward); weights and other leaves may change in
  // place (the optimizer, a reused buffer) before a consumer asks.
  bool codesCanWait(const at::Tensor& x) const { return is_training() && !x.is_leaf(); }
  // rememberLazy for codes that are a function of the forward's input: makeCodes(x) runs on first access, on x
  // as the forward saw it, and is refused (std::logic_error) if x was changed in place since.
  void rememberFromInput(const at::Tensor& x, std::function<at::Tensor(const at::Tensor&)> makeCodes,
                         std::vector<std::vector<double>> thresholds, std::vector<std::vector<double>> scales);

 private:
  mutable std::vector<at::Tensor> rawCodes_;     // as the forward produced them (floating point)
  mutable std::function<std::vector<at::Tensor>()> pendingCodes_;  // set: rawCodes_ not made yet
  mutable std::vector<at::Tensor> lastCodes_;   // int8 copies, made lazily
  mutable bool codesConverted_ = true;
  std::vector<std::vector<double>> lastThresholds_;
  std::vector<std::vector<double>> lastScales_;
  double lastGamma_ = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace ternlab::quant
