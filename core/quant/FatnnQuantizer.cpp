#include "quant/FatnnQuantizer.h"

#include <torch/torch.h>

#include <cmath>
#include <utility>

#include "quant/FatnnOps.h"

namespace ternlab::quant {

FatnnQuantizer::FatnnQuantizer(const FatnnOptions& o)
    : halfRange_(o.halfRange()), unitInit_(o.unitInit()), initWidth_(o.initWidth()) {
  a0_ = register_parameter("a0", torch::ones({}));
  a1_ = register_parameter("a1", torch::ones({}));
  alpha_ = register_parameter("alpha", torch::ones({}));
  initialized_ = register_buffer("initialized", torch::zeros({}));
}

at::Tensor FatnnQuantizer::forward(const at::Tensor& x) {
  std::vector<double> thresholds;
  at::Tensor codes;
  std::pair<double, double> widths;
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
    thresholds = halfRange_ ? std::vector<double>{0.5 / a0, 1.5 / a1} : std::vector<double>{0.5 / a1, -0.5 / a0};
    // Codes written now only where α's first fit or a consumer needs them now; else made when asked for.
    const bool first = initialized_.item<double>() == 0;
    if (first || !codesCanWait(x)) codes = fatnnCodes(x, a0, a1, halfRange_);
    if (first) {
      // α starts at the least-squares scale of the first batch's codes.
      const double c2 = codes.square().sum().item<double>();
      alpha_.fill_(c2 > 0 ? (x * codes).sum().item<double>() / c2 : 1.0);
      initialized_.fill_(1);
    }
    widths = {a0, a1};
  }
  if (codes.defined())
    remember({codes}, {thresholds}, {{alpha_.item<double>()}});
  else
    rememberFromInput(
        x, [widths, half = halfRange_](const at::Tensor& in) { return fatnnCodes(in, widths.first, widths.second, half); },
        {thresholds}, {{alpha_.item<double>()}});
  return fatnnQuantize(x, a0_, a1_, alpha_, halfRange_);
}

}  // namespace ternlab::quant
