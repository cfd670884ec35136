#include "nn/LeNet5.h"

#include <torch/torch.h>

#include <cmath>

namespace ternlab::nn {

namespace {
std::int64_t scaled(double base, double width) { return std::max<std::int64_t>(1, std::llround(base * width)); }
}  // namespace

LeNet5::LeNet5(const InputShape& input, double width, const std::string& activation) {
  const auto c1 = scaled(6, width), c2 = scaled(16, width), f1 = scaled(120, width), f2 = scaled(84, width);
  const std::int64_t pad = input.size == 28 ? 2 : 0;  // 28×28 inputs are padded to LeNet's 32×32 geometry
  const std::int64_t afterConv1 = (input.size + 2 * pad - 4) / 2;
  const std::int64_t afterConv2 = (afterConv1 - 4) / 2;
  conv1 = track("conv1", QuantConv2d(QuantConv2dOptions(input.channels, c1, 5).padding(pad)));
  bn1 = register_module("bn1", BatchNorm2d(c1));
  conv2 = track("conv2", QuantConv2d(QuantConv2dOptions(c1, c2, 5)));
  bn2 = register_module("bn2", BatchNorm2d(c2));
  fc1 = track("fc1", QuantLinear(c2 * afterConv2 * afterConv2, f1, false));
  bn3 = register_module("bn3", BatchNorm1d(f1));
  fc2 = track("fc2", QuantLinear(f1, f2, false));
  bn4 = register_module("bn4", BatchNorm1d(f2));
  fc3 = track("fc3", QuantLinear(f2, input.classes, true));
  act1 = register_module("act1", Activation(c1, activation));
  act2 = register_module("act2", Activation(c2, activation));
  act3 = register_module("act3", Activation(f1, activation));
  act4 = register_module("act4", Activation(f2, activation));
}

at::Tensor LeNet5::forward(const at::Tensor& input) {
  auto x = torch::max_pool2d(act1(bn1(conv1(input))), 2);
  x = torch::max_pool2d(act2(bn2(conv2(x))), 2);
  x = x.flatten(1);
  x = act3(bn3(fc1(x)));
  x = act4(bn4(fc2(x)));
  return fc3(x);
}

}  // namespace ternlab::nn
