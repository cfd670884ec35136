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
    const bool frozen = running_ && running_->frozen(is_training());
    if (frozen) {
      const auto v = running_->values();
      delta = v[0];
      alpha = v[1];
    } else {
      delta = factor_ * absw.mean().item<double>();  // Δ = 0.7·E|W|
    }
    const auto mask = absw.gt(delta);
    if (!frozen) {
      const auto count = mask.sum().item<double>();
      alpha = count > 0 ? absw.masked_select(mask).sum().item<double>() / count : 0.0;  // α = E_{|W|>Δ}|W|
      if (running_ && is_training()) running_->update({delta, alpha});
    }
    codes = w.sign() * mask.to(w.scalar_type());
    q = codes * alpha;
  }
  remember({codes}, {{delta, -delta}}, {{alpha}});
  // Straight-through estimator: value of q, gradient of the identity.
  return w + (q - w).detach();
}

}  // namespace ternlab::quant
