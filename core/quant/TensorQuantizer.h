#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <string>
#include <vector>

#include "quant/BranchStats.h"

namespace ternlab::quant {

// Base of every fake-quantizer in the training graph: forward() returns the de-quantized tensor
// whose gradient follows the scheme's estimator, and remembers the integer codes it used.
class TensorQuantizer : public torch::nn::Module {
 public:
  virtual at::Tensor forward(const at::Tensor& x) = 0;
  virtual std::string scheme() const = 0;
  // One int8 code tensor in {-1,0,1} (or {0,1,2} for half-range activations) per branch,
  // exactly as used by the last forward; empty before the first forward.
  // Converted on first access: the training loop itself never pays for the int8 copy.
  const std::vector<at::Tensor>& lastCodes() const;
  // The same codes as the forward made them (floating point, no copy).
  const std::vector<at::Tensor>& lastCodeValues() const { return rawCodes_; }
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

 private:
  std::vector<at::Tensor> rawCodes_;             // as the forward produced them (floating point)
  mutable std::vector<at::Tensor> lastCodes_;   // int8 copies, made lazily
  mutable bool codesConverted_ = true;
  std::vector<std::vector<double>> lastThresholds_;
  std::vector<std::vector<double>> lastScales_;
  double lastGamma_ = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace ternlab::quant
