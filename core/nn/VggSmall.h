#pragma once
#include "nn/SyncBatchNorm.h"

#include <vector>

#include "nn/LeNet5.h"
#include "nn/TernaryNet.h"

namespace ternlab::nn {

// VGG-Small, the CIFAR network of TTQ / LQ-Nets / the asymmetric paper:
// 2×128C3 – MP – 2×256C3 – MP – 2×512C3 – MP – FC, BatchNorm after every conv.
class VggSmall : public TernaryNet {
 public:
  VggSmall(const InputShape& input, double width = 1.0, const std::string& activation = "relu");
  at::Tensor forward(const at::Tensor& x) override;
  std::string arch() const override { return "vgg-s"; }

 private:
  std::vector<QuantConv2d> convs_;
  std::vector<BatchNorm2d> bns_;
  std::vector<Activation> acts_;
  QuantLinear fc{nullptr};
};

}  // namespace ternlab::nn
