#include "quant/IcsQuantizer.h"

#include <torch/torch.h>

namespace ternlab::quant {

at::Tensor IcsQuantizer::forward(const at::Tensor& w) {
  at::Tensor codes, q, pass;
  double delta = 0, alpha = 0;
  {
    torch::NoGradGuard guard;
    const auto absw = w.abs();
    delta = beta_ * absw.max().item<double>();  // Δ_th = β·max|W|
    const auto mask = absw.ge(delta);           // eq. 1: |w| ≥ Δ_th
    const auto count = mask.sum().item<double>();
    alpha = count > 0 ? absw.masked_select(mask).sum().item<double>() / count : 0.0;  // eq. 2
    codes = w.sign() * mask.to(w.scalar_type());
    q = codes * alpha;
    pass = absw.le(1.0).to(w.scalar_type());  // eq. 4: gradient only where |w| ≤ 1
  }
  remember({codes}, {{delta, -delta}}, {{alpha}});
  return q + (w - w.detach()) * pass;
}

}  // namespace ternlab::quant
