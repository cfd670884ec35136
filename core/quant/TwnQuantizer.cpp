#include "quant/TwnQuantizer.h"

#include <torch/torch.h>

namespace ternlab::quant {

TwnQuantizer::TwnQuantizer(double factor, bool trackRunning) : factor_(factor) {
  if (trackRunning) running_ = std::make_unique<RunningStats>(*this, 2);
}

at::Tensor TwnQuantizer::forward(const at::Tensor& w) {
  at::Tensor codes, q;
  double delta = 0, alpha = 0;
  {
    torch::NoGradGuard guard;
    const auto absw = w.abs();
    // Δ = 0.7·E|W|, mask |W| > Δ, α = E_{|W|>Δ}|W| (running values in eval for activations).
    const auto mask = thresholdAndScale(
        running_.get(), is_training(), absw, [&] { return factor_ * absw.mean().item<double>(); },
        [&](double d) { return absw.gt(d); }, delta, alpha);
    codes = w.sign() * mask.to(w.scalar_type());
    q = codes * alpha;
  }
  remember({codes}, {{delta, -delta}}, {{alpha}});
  // Straight-through estimator: value of q, gradient of the identity.
  return w + (q - w).detach();
}

}  // namespace ternlab::quant
