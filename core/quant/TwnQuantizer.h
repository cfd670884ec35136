#pragma once
#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// Ternary Weight Networks (Li et al. 2016, eq. 9-10 of arXiv:1605.04711): Δ = factor·E|W|,
// α = mean |W| over |W| > Δ, codes sign(W)·[|W| > Δ], straight-through gradient.
class TwnQuantizer : public TensorQuantizer {
 public:
  explicit TwnQuantizer(double factor = 0.7) : factor_(factor) {}
  at::Tensor forward(const at::Tensor& w) override;
  std::string scheme() const override { return "twn"; }
  double factor() const { return factor_; }

 private:
  double factor_;
};

}  // namespace ternlab::quant
