#pragma once
#include <memory>
#include <vector>

#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// Residual expansion layers (He et al. 2018, REL paper eq. 5): T_ex branches ternarized from the same latent
// W with thresholds β_1 < … < β_T, each with its own α_i, outputs summed. Convolution is linear in the weight,
// so Σ_i conv(x, α_i·Tern_i(W)) = conv(x, Σ_i α_i·Tern_i(W)): the wrapper returns the summed weight and each
// branch keeps its own estimator (the latent weight receives the sum of the branch gradients).
class RelQuantizer : public TensorQuantizer {
 public:
  explicit RelQuantizer(std::vector<std::shared_ptr<TensorQuantizer>> branches);
  at::Tensor forward(const at::Tensor& w) override;
  std::string scheme() const override;
  const std::vector<std::shared_ptr<TensorQuantizer>>& branches() const { return branches_; }

 private:
  std::vector<std::shared_ptr<TensorQuantizer>> branches_;
};

}  // namespace ternlab::quant
