#pragma once
#include <memory>
#include <torch/arg.h>

#include "quant/RunningStats.h"
#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// Ternary Weight Networks (Li et al. 2016, eq. 9-10 of arXiv:1605.04711): Δ = factor·E|W|,
// α = mean |W| over |W| > Δ, codes sign(W)·[|W| > Δ], straight-through gradient.
// Named options of a TWN quantizer, PyTorch style: TwnOptions().factor(0.7).trackRunning(true).
struct TwnOptions {
  TORCH_ARG(double, factor) = 0.7;      // Δ = factor·E|W|
  TORCH_ARG(bool, trackRunning) = false;  // activations: Δ and α follow a running average, frozen in eval
};

class TwnQuantizer : public TensorQuantizer {
 public:
  explicit TwnQuantizer(const TwnOptions& o = {});
  explicit TwnQuantizer(double factor) : TwnQuantizer(TwnOptions().factor(factor)) {}
  at::Tensor forward(const at::Tensor& w) override;
  std::string scheme() const override { return "twn"; }
  double factor() const { return factor_; }

 private:
  double factor_;
  std::unique_ptr<RunningStats> running_;
};

}  // namespace ternlab::quant
