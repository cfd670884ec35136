#include "nn/ResNet.h"

#include <torch/torch.h>

#include <cmath>

namespace ternlab::nn {

namespace {
std::int64_t scaled(double base, double width) { return std::max<std::int64_t>(1, std::llround(base * width)); }

// (N, C, H, W) -> (N, C). In eval mode the sums are taken in double and divided there, rounded to float once:
// exact, whatever the order of summation, while a channel's values span less than 2^23 in magnitude, so the
// packed engine's sum in its own order gives the same float.
at::Tensor globalAveragePool(const at::Tensor& x, bool training) {
  if (training) return torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  return (x.to(torch::kFloat64).sum({2, 3}) / static_cast<double>(x.size(2) * x.size(3))).to(x.scalar_type());
}
}  // namespace

BasicBlock::BasicBlock(TernaryNet& owner, const std::string& prefix, std::int64_t in, std::int64_t out,
                       std::int64_t stride, bool projectionShortcut, const std::string& activation)
    : in_(in), out_(out), stride_(stride) {
  conv1 = owner.trackLayer(prefix + ".conv1", QuantConv2d(QuantConv2dOptions(in, out, 3).stride(stride).padding(1)));
  register_module("conv1", conv1);
  bn1 = register_module("bn1", BatchNorm2d(out));
  conv2 = owner.trackLayer(prefix + ".conv2", QuantConv2d(QuantConv2dOptions(out, out, 3).padding(1)));
  register_module("conv2", conv2);
  bn2 = register_module("bn2", BatchNorm2d(out));
  act1 = register_module("act1", Activation(out, activation));
  act2 = register_module("act2", Activation(out, activation));
  if (projectionShortcut && (stride != 1 || in != out)) {
    shortcut = owner.trackLayer(prefix + ".shortcut", QuantConv2d(QuantConv2dOptions(in, out, 1).stride(stride)));
    register_module("shortcut", shortcut);
    bnShortcut = register_module("bn_shortcut", BatchNorm2d(out));
  }
}

at::Tensor BasicBlock::forward(const at::Tensor& x) {
  auto y = act1(bn1(conv1(x)));
  y = bn2(conv2(y));
  at::Tensor id = x;
  if (shortcut) {
    id = bnShortcut(shortcut(x));
  } else if (stride_ != 1 || in_ != out_) {
    // Option A: subsample spatially, zero-pad the new channels (no parameters).
    id = x.slice(2, 0, c10::nullopt, stride_).slice(3, 0, c10::nullopt, stride_);
    const auto extra = out_ - in_;
    id = torch::constant_pad_nd(id, {0, 0, 0, 0, extra / 2, extra - extra / 2}, 0.0);
  }
  return act2(y + id);
}

ResNet20::ResNet20(const InputShape& input, double width, const std::string& activation) {
  const std::int64_t c[3] = {scaled(16, width), scaled(32, width), scaled(64, width)};
  stem = trackLayer("conv1", QuantConv2d(QuantConv2dOptions(input.channels, c[0], 3).padding(1)));
  register_module("conv1", stem);
  bn = register_module("bn1", BatchNorm2d(c[0]));
  act = register_module("act1", Activation(c[0], activation));
  std::int64_t in = c[0];
  for (int s = 0; s < 3; ++s)
    for (int b = 0; b < 3; ++b) {
      const std::string name = "layer" + std::to_string(s + 1) + "_" + std::to_string(b);
      auto block = std::make_shared<BasicBlock>(*this, name, in, c[s], (s > 0 && b == 0) ? 2 : 1, false, activation);
      register_module(name, block);
      blocks_.push_back(block);
      in = c[s];
    }
  fc = trackLayer("fc", QuantLinear(c[2], input.classes, true));
  register_module("fc", fc);
}

at::Tensor ResNet20::forward(const at::Tensor& input) {
  auto x = act(bn(stem(input)));
  for (auto& b : blocks_) x = b->forward(x);
  return fc(globalAveragePool(x, is_training()));
}

ResNet18::ResNet18(const InputShape& input, double width, const std::string& activation) {
  imagenetStem_ = input.size > 64;
  const std::int64_t c[4] = {scaled(64, width), scaled(128, width), scaled(256, width), scaled(512, width)};
  stem = trackLayer("conv1", imagenetStem_
                                 ? QuantConv2d(QuantConv2dOptions(input.channels, c[0], 7).stride(2).padding(3))
                                 : QuantConv2d(QuantConv2dOptions(input.channels, c[0], 3).padding(1)));
  register_module("conv1", stem);
  bn = register_module("bn1", BatchNorm2d(c[0]));
  act = register_module("act1", Activation(c[0], activation));
  std::int64_t in = c[0];
  for (int s = 0; s < 4; ++s)
    for (int b = 0; b < 2; ++b) {
      const std::string name = "layer" + std::to_string(s + 1) + "_" + std::to_string(b);
      auto block = std::make_shared<BasicBlock>(*this, name, in, c[s], (s > 0 && b == 0) ? 2 : 1, true, activation);
      register_module(name, block);
      blocks_.push_back(block);
      in = c[s];
    }
  fc = trackLayer("fc", QuantLinear(c[3], input.classes, true));
  register_module("fc", fc);
}

at::Tensor ResNet18::forward(const at::Tensor& input) {
  auto x = act(bn(stem(input)));
  if (imagenetStem_) x = torch::max_pool2d(x, 3, 2, 1);
  for (auto& b : blocks_) x = b->forward(x);
  return fc(globalAveragePool(x, is_training()));
}

}  // namespace ternlab::nn
