#pragma once
#include "nn/SyncBatchNorm.h"

#include <vector>

#include "nn/Activation.h"
#include "nn/LeNet5.h"
#include "nn/TernaryNet.h"

namespace ternlab::nn {

// CIFAR-style basic residual block (He et al. 2016): conv-BN-act-conv-BN plus shortcut, then act
// (act = ReLU, or RPReLU as in the asymmetric paper).
// Shortcut "A" (ResNet-20: parameter-free subsample + zero channel padding) or "B" (1×1 conv + BN).
class BasicBlock : public torch::nn::Module {
 public:
  BasicBlock(TernaryNet& owner, const std::string& prefix, std::int64_t in, std::int64_t out, std::int64_t stride,
             bool projectionShortcut, const std::string& activation = "relu");
  at::Tensor forward(const at::Tensor& x);

 private:
  QuantConv2d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
  BatchNorm2d bn1{nullptr}, bn2{nullptr}, bnShortcut{nullptr};
  Activation act1{nullptr}, act2{nullptr};
  std::int64_t in_, out_, stride_;
};

// ResNet-20 for 32×32/28×28 images (He et al. 2016, Table 6; REL paper Table I): 3 stages of 3 blocks,
// 16/32/64 channels, parameter-free shortcuts.
class ResNet20 : public TernaryNet {
 public:
  ResNet20(const InputShape& input, double width = 1.0, const std::string& activation = "relu");
  at::Tensor forward(const at::Tensor& x) override;
  std::string arch() const override { return "resnet20"; }

 private:
  QuantConv2d stem{nullptr};
  BatchNorm2d bn{nullptr};
  Activation act{nullptr};
  std::vector<std::shared_ptr<BasicBlock>> blocks_;
  QuantLinear fc{nullptr};
};

// ResNet-18 (ImageNet style, 64-512 channels, projection shortcuts); a 3×3 stem without max-pool
// for inputs of 64 pixels or less, the 7×7/2 stem + max-pool otherwise.
class ResNet18 : public TernaryNet {
 public:
  ResNet18(const InputShape& input, double width = 1.0, const std::string& activation = "relu");
  at::Tensor forward(const at::Tensor& x) override;
  std::string arch() const override { return "resnet18"; }

 private:
  QuantConv2d stem{nullptr};
  BatchNorm2d bn{nullptr};
  Activation act{nullptr};
  bool imagenetStem_ = false;
  std::vector<std::shared_ptr<BasicBlock>> blocks_;
  QuantLinear fc{nullptr};
};

}  // namespace ternlab::nn
