#pragma once
#include <memory>

#include "quant/RunningStats.h"
#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// Ternary Weight Networks (Li et al. 2016, eq. 9-10 of arXiv:1605.04711): Δ = factor·E|W|,
// α = mean |W| over |W| > Δ, codes sign(W)·[|W| > Δ], straight-through gradient.
class TwnQuantizer : public TensorQuantizer {
 public:
  // trackRunning (activations): Δ and α follow a running average in training and are frozen in eval.
  explicit TwnQuantizer(double factor = 0.7, bool trackRunning = false);
  at::Tensor forward(const at::Tensor& w) override;
  std::string scheme() const override { return "twn"; }
  double factor() const { return factor_; }

 private:
  double factor_;
  std::unique_ptr<RunningStats> running_;
};

}  // namespace ternlab::quant
