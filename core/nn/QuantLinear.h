#pragma once
#include <torch/nn/module.h>

#include "nn/QuantLayer.h"

namespace ternlab::nn {

// Fully connected layer whose weight (and optionally input) pass through ternary fake-quantizers.
class QuantLinearImpl : public torch::nn::Module, public QuantLayer {
 public:
  QuantLinearImpl(std::int64_t in, std::int64_t out, bool bias = true);
  at::Tensor forward(const at::Tensor& x);
  LayerKind kind() const override { return LayerKind::Linear; }
  at::Tensor latentWeight() const override { return weight; }
  std::int64_t lastMacsPerSample() const override { return in_ * out_; }
  void setWeightQuantizer(std::shared_ptr<quant::TensorQuantizer> q) override;
  void setInputQuantizer(std::shared_ptr<quant::TensorQuantizer> q) override;

  at::Tensor weight;
  at::Tensor bias;

 private:
  std::int64_t in_, out_;
};

}  // namespace ternlab::nn
