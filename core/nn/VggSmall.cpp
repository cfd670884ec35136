#include "nn/VggSmall.h"

#include <torch/torch.h>

#include <cmath>

namespace ternlab::nn {

VggSmall::VggSmall(const InputShape& input, double width, const std::string& activation) {
  const std::int64_t base[6] = {128, 128, 256, 256, 512, 512};
  std::int64_t in = input.channels, size = input.size;
  for (int i = 0; i < 6; ++i) {
    const auto out = std::max<std::int64_t>(1, std::llround(base[i] * width));
    auto conv = trackLayer("conv" + std::to_string(i + 1), QuantConv2d(QuantConv2dOptions(in, out, 3).padding(1)));
    register_module("conv" + std::to_string(i + 1), conv);
    convs_.push_back(conv);
    bns_.push_back(register_module("bn" + std::to_string(i + 1), BatchNorm2d(out)));
    acts_.push_back(register_module("act" + std::to_string(i + 1), Activation(out, activation)));
    in = out;
    if (i % 2 == 1) size /= 2;
  }
  fc = trackLayer("fc", QuantLinear(in * size * size, input.classes, true));
  register_module("fc", fc);
}

at::Tensor VggSmall::forward(const at::Tensor& input) {
  auto x = input;
  for (std::size_t i = 0; i < convs_.size(); ++i) {
    x = acts_[i](bns_[i](convs_[i](x)));
    if (i % 2 == 1) x = torch::max_pool2d(x, 2);
  }
  return fc(x.flatten(1));
}

}  // namespace ternlab::nn
