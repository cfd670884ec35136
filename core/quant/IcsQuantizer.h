#pragma once
#include <memory>
#include <torch/arg.h>

#include "quant/RunningStats.h"
#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// He et al. 2018 (REL paper, arXiv:1807.07948, eq. 1, 2, 4): Δ = β·max|W|, α = mean |W| over |W| ≥ Δ
// recomputed every iteration, STE gradient zeroed where |W| > 1.
// Named options of a He et al. quantizer, PyTorch style: IcsOptions().beta(0.05).trackRunning(true).
struct IcsOptions {
  TORCH_ARG(double, beta) = 0.05;         // Δ = β·max|W|
  TORCH_ARG(bool, trackRunning) = false;  // activations: Δ and α follow a running average, frozen in eval
};

class IcsQuantizer : public TensorQuantizer {
 public:
  explicit IcsQuantizer(const IcsOptions& o = {});
  explicit IcsQuantizer(double beta) : IcsQuantizer(IcsOptions().beta(beta)) {}
  at::Tensor forward(const at::Tensor& w) override;
  std::string scheme() const override { return "ics"; }
  double beta() const { return beta_; }

 private:
  double beta_;
  std::unique_ptr<RunningStats> running_;
};

}  // namespace ternlab::quant
