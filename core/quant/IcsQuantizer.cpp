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
    // Eq. 1, 2: Δ_th = β·max|W|, mask |w| ≥ Δ_th, α = mean |w| over the mask (running values in eval for activations).
    const auto mask = thresholdAndScale(
        running_.get(), is_training(), absw, [&] { return beta_ * absw.max().item<double>(); },
        [&](double d) { return absw.ge(d); }, delta, alpha);
    codes = w.sign() * mask.to(w.scalar_type());
    q = codes * alpha;
    pass = absw.le(1.0).to(w.scalar_type());  // eq. 4: gradient only where |w| ≤ 1
  }
  remember({codes}, {{delta, -delta}}, {{alpha}});
  return q + (w - w.detach()) * pass;
}

}  // namespace ternlab::quant
