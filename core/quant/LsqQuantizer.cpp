#include "quant/LsqQuantizer.h"

#include <torch/torch.h>

#include <cmath>

namespace ternlab::quant {

LsqQuantizer::LsqQuantizer(bool halfRange, bool unitInit) : halfRange_(halfRange), unitInit_(unitInit) {
  s_ = register_parameter("s", torch::ones({}));
  initialized_ = register_buffer("initialized", torch::zeros({}));
}

at::Tensor LsqQuantizer::forward(const at::Tensor& x) {
  const double Qn = qn(), Qp = qp();
  at::Tensor codes;
  double sv = 0;
  {
    torch::NoGradGuard guard;
    if (initialized_.item<double>() == 0) {
      const double init = unitInit_ ? 1.0 : 2.0 * x.abs().mean().item<double>() / std::sqrt(Qp);
      s_.fill_(std::max(1e-8, init));
      initialized_.fill_(1);
    }
    s_.clamp_min_(1e-8);
    sv = s_.item<double>();
    codes = torch::round(torch::clamp(x / sv, -Qn, Qp));
  }
  remember({codes}, {halfRange_ ? std::vector<double>{sv / 2, 1.5 * sv} : std::vector<double>{sv / 2, -sv / 2}},
           {{sv}});
  // gradscale(s, g) and roundpass(v) of the LSQ paper: values of s and round(v), gradients g·∂s and ∂v.
  const double g = 1.0 / std::sqrt(static_cast<double>(x.numel()) * Qp);
  const auto sg = (s_ - s_ * g).detach() + s_ * g;
  const auto v = torch::clamp(x / sg, -Qn, Qp);
  const auto vr = (torch::round(v) - v).detach() + v;
  return vr * sg;
}

}  // namespace ternlab::quant
