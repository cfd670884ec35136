#include "quant/IcsQuantizer.h"

#include <torch/torch.h>

#include "quant/ThresholdOps.h"

namespace ternlab::quant {

IcsQuantizer::IcsQuantizer(const IcsOptions& o) : beta_(o.beta()) {
  if (o.trackRunning()) running_ = std::make_unique<RunningStats>(*this, 2);
}

at::Tensor IcsQuantizer::forward(const at::Tensor& w) {
  // Eq. 1, 2: Δ_th = β·max|W|, codes sign(w) where |w| ≥ Δ_th, α = mean |w| over them (running values in eval
  // for activations).
  const auto r = thresholdAndScale(running_.get(), is_training(), w,
                                   [&] { return beta_ * absStatistic(w, AbsStatistic::Max); }, true);
  remember({r.codes}, {{r.delta, -r.delta}}, {{r.alpha}});
  return straightThrough(w, r.codes, r.alpha, 1.0);  // eq. 4: gradient only where |w| ≤ 1
}

}  // namespace ternlab::quant
