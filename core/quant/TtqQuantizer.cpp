#include "quant/TtqQuantizer.h"

#include <torch/torch.h>

namespace ternlab::quant {

TtqQuantizer::TtqQuantizer(double t, double initScale) : t_(t), initScale_(initScale) {
  wp_ = register_parameter("wp", torch::ones({}));
  wn_ = register_parameter("wn", torch::ones({}));
  initialized_ = register_buffer("initialized", torch::zeros({}));
}

double TtqQuantizer::wp() const { return wp_.item<double>(); }
double TtqQuantizer::wn() const { return wn_.item<double>(); }

at::Tensor TtqQuantizer::forward(const at::Tensor& w) {
  at::Tensor pos, neg, zero, codes;
  double delta = 0;
  {
    torch::NoGradGuard guard;
    const auto absw = w.abs();
    delta = t_ * absw.max().item<double>();  // Δ = t·max|W|
    pos = w.gt(delta).to(w.scalar_type());
    neg = w.lt(-delta).to(w.scalar_type());
    zero = 1 - pos - neg;
    codes = pos - neg;
    if (initialized_.item<double>() == 0) {
      const auto mask = absw.gt(delta);
      const auto count = mask.sum().item<double>();
      const double init = initScale_ > 0 ? initScale_
                                         : (count > 0 ? absw.masked_select(mask).sum().item<double>() / count : 1.0);
      wp_.fill_(init);
      wn_.fill_(init);
      initialized_.fill_(1);
    }
  }
  remember({codes}, {{delta, -delta}}, {{wp_.item<double>(), wn_.item<double>()}});
  // Value Wp·P − Wn·N. Autograd: ∂/∂Wp = Σ_P g, ∂/∂Wn = −Σ_N g. The second term has value 0 and
  // gives the latent weight the gradient (Wp·P + Z + Wn·N)·g, the paper's eq. 8.
  const auto latentScale = wp_.detach() * pos + zero + wn_.detach() * neg;
  const auto scaled = w * latentScale;
  return wp_ * pos - wn_ * neg + (scaled - scaled.detach());
}

}  // namespace ternlab::quant
