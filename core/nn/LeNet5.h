#pragma once
#include "nn/SyncBatchNorm.h"

#include "nn/Activation.h"
#include "nn/QuantConv2d.h"
#include "nn/QuantLinear.h"
#include "nn/TernaryNet.h"

namespace ternlab::nn {

TORCH_MODULE(QuantConv2d);
TORCH_MODULE(QuantLinear);

// LeNet-5 with BatchNorm (conv-pool-conv-pool-fc-fc-fc), for 28×28 (padded stem) and 32×32 inputs.
class LeNet5 : public TernaryNet {
 public:
  LeNet5(const InputShape& input, double width = 1.0, const std::string& activation = "relu");
  at::Tensor forward(const at::Tensor& x) override;
  std::string arch() const override { return "lenet5"; }

 private:
  QuantConv2d conv1{nullptr}, conv2{nullptr};
  QuantLinear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
  BatchNorm2d bn1{nullptr}, bn2{nullptr};
  BatchNorm1d bn3{nullptr}, bn4{nullptr};
  Activation act1{nullptr}, act2{nullptr}, act3{nullptr}, act4{nullptr};
};

}  // namespace ternlab::nn
