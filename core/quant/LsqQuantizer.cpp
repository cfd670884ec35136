#include "quant/LsqQuantizer.h"

#include <torch/torch.h>

#include "quant/ThresholdOps.h"

#include <cmath>

namespace ternlab::quant {

LsqQuantizer::LsqQuantizer(const LsqOptions& o) : halfRange_(o.halfRange()), unitInit_(o.unitInit()) {
  s_ = register_parameter("s", torch::ones({}));
  initialized_ = register_buffer("initialized", torch::zeros({}));
}

at::Tensor LsqQuantizer::forward(const at::Tensor& x) {
  const double Qn = qn(), Qp = qp();
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
  }
  // gradscale(s, g) and roundpass(v) of the LSQ paper, fused: values of s and round(v), gradients g·∂s and ∂v.
  const double g = 1.0 / std::sqrt(static_cast<double>(x.numel()) * Qp);
  auto out = lsqQuantize(x, s_, Qn, Qp, g);
  remember({out.codes}, {halfRange_ ? std::vector<double>{sv / 2, 1.5 * sv} : std::vector<double>{sv / 2, -sv / 2}},
           {{sv}});
  return out.value;
}

}  // namespace ternlab::quant
