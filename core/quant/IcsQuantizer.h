#pragma once
#include <memory>

#include "quant/RunningStats.h"
#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// He et al. 2018 (REL paper, arXiv:1807.07948, eq. 1, 2, 4): Δ = β·max|W|, α = mean |W| over |W| ≥ Δ
// recomputed every iteration, STE gradient zeroed where |W| > 1.
class IcsQuantizer : public TensorQuantizer {
 public:
  // trackRunning (activations): Δ and α follow a running average in training and are frozen in eval.
  explicit IcsQuantizer(double beta = 0.05, bool trackRunning = false);
  at::Tensor forward(const at::Tensor& w) override;
  std::string scheme() const override { return "ics"; }
  double beta() const { return beta_; }

 private:
  double beta_;
  std::unique_ptr<RunningStats> running_;
};

}  // namespace ternlab::quant
