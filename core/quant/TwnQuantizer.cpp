#include "quant/TwnQuantizer.h"

#include <torch/torch.h>

#include "quant/ThresholdOps.h"

namespace ternlab::quant {

TwnQuantizer::TwnQuantizer(const TwnOptions& o) : factor_(o.factor()) {
  if (o.trackRunning()) running_ = std::make_unique<RunningStats>(*this, 2);
}

at::Tensor TwnQuantizer::forward(const at::Tensor& w) {
  // Δ = 0.7·E|W|, codes sign(W) where |W| > Δ, α = E_{|W|>Δ}|W| (running values in eval for activations).
  const auto r = thresholdAndScale(running_.get(), is_training(), w,
                                   [&] { return factor_ * absStatistic(w, AbsStatistic::Mean); }, false);
  remember({r.codes}, {{r.delta, -r.delta}}, {{r.alpha}});
  // Straight-through estimator: value α·codes, gradient of the identity.
  return straightThrough(w, r.codes, r.alpha);
}

}  // namespace ternlab::quant
