#include "quant/FatnnQuantizer.h"

#include <torch/torch.h>

#include <cmath>

namespace ternlab::quant {

namespace {
at::Tensor roundPass(const at::Tensor& v) { return (torch::round(v) - v).detach() + v; }
}  // namespace

FatnnQuantizer::FatnnQuantizer(bool halfRange, double initWidth, bool unitInit)
    : halfRange_(halfRange), unitInit_(unitInit), initWidth_(initWidth) {
  a0_ = register_parameter("a0", torch::ones({}));
  a1_ = register_parameter("a1", torch::ones({}));
  alpha_ = register_parameter("alpha", torch::ones({}));
  initialized_ = register_buffer("initialized", torch::zeros({}));
}

at::Tensor FatnnQuantizer::forward(const at::Tensor& x) {
  at::Tensor codes;
  std::vector<double> thresholds;
  {
    torch::NoGradGuard guard;
    if (initialized_.item<double>() == 0) {
      if (initWidth_ > 0) {
        a0_.fill_(initWidth_);
        a1_.fill_(initWidth_);
      } else if (unitInit_) {
        a0_.fill_(1.0);
        a1_.fill_(1.0);
      } else if (halfRange_) {
        // Thresholds 0.5/a0 and 1.5/a1 at the thirds of the positive part (0.4307σ, 0.9674σ).
        const auto m = x.gt(0);
        const double n = std::max(1.0, m.sum().item<double>());
        const double sigma = std::max(1e-6, std::sqrt(x.masked_select(m).square().sum().item<double>() / n));
        a0_.fill_(0.5 / (0.4307 * sigma));
        a1_.fill_(1.5 / (0.9674 * sigma));
      } else {
        // Thresholds ±0.5/a at TWN's 0.7·E|x|.
        const double a = 0.5 / std::max(1e-8, 0.7 * x.abs().mean().item<double>());
        a0_.fill_(a);
        a1_.fill_(a);
      }
    }
    a0_.clamp_min_(1e-6);
    a1_.clamp_min_(1e-6);
    if (halfRange_) a1_.clamp_max_(2.9 * a0_.item<double>());  // keep 1.5/a1 above 0.5/a0
    const double a0 = a0_.item<double>(), a1 = a1_.item<double>();
    if (halfRange_) {
      codes = torch::round(torch::clamp(x * a0, 0.0, 1.0)) + torch::round(torch::clamp(x * a1 - 1.0, 0.0, 1.0));
      thresholds = {0.5 / a0, 1.5 / a1};
    } else {
      codes = torch::round(torch::clamp(x * a0, -1.0, 0.0)) + torch::round(torch::clamp(x * a1, 0.0, 1.0));
      thresholds = {0.5 / a1, -0.5 / a0};
    }
    if (initialized_.item<double>() == 0) {
      const double c2 = codes.square().sum().item<double>();
      alpha_.fill_(c2 > 0 ? (x * codes).sum().item<double>() / c2 : 1.0);
      initialized_.fill_(1);
    }
  }
  remember({codes}, {thresholds}, {{alpha_.item<double>()}});
  at::Tensor y;
  if (halfRange_)
    y = roundPass(torch::clamp(x * a0_, 0.0, 1.0)) + roundPass(torch::clamp(x * a1_ - 1.0, 0.0, 1.0));
  else
    y = roundPass(torch::clamp(x * a0_, -1.0, 0.0)) + roundPass(torch::clamp(x * a1_, 0.0, 1.0));
  return alpha_ * y;
}

}  // namespace ternlab::quant
