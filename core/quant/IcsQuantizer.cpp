#include "quant/IcsQuantizer.h"

#include <torch/torch.h>

namespace ternlab::quant {

IcsQuantizer::IcsQuantizer(double beta, bool trackRunning) : beta_(beta) {
  if (trackRunning) running_ = std::make_unique<RunningStats>(*this, 2);
}

at::Tensor IcsQuantizer::forward(const at::Tensor& w) {
  at::Tensor codes, q, pass;
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
      delta = beta_ * absw.max().item<double>();  // Δ_th = β·max|W|
    }
    const auto mask = absw.ge(delta);  // eq. 1: |w| ≥ Δ_th
    if (!frozen) {
      const auto count = mask.sum().item<double>();
      alpha = count > 0 ? absw.masked_select(mask).sum().item<double>() / count : 0.0;  // eq. 2
      if (running_ && is_training()) running_->update({delta, alpha});
    }
    codes = w.sign() * mask.to(w.scalar_type());
    q = codes * alpha;
    pass = absw.le(1.0).to(w.scalar_type());  // eq. 4: gradient only where |w| ≤ 1
  }
  remember({codes}, {{delta, -delta}}, {{alpha}});
  return q + (w - w.detach()) * pass;
}

}  // namespace ternlab::quant
