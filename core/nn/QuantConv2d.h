#pragma once
#include <torch/nn/module.h>

#include "nn/QuantLayer.h"

namespace ternlab::nn {

// Options for QuantConv2d, with chained setters in the style of torch::nn::Conv2dOptions.
struct QuantConv2dOptions {
  QuantConv2dOptions(std::int64_t in, std::int64_t out, std::int64_t kernel) : in_(in), out_(out), kernel_(kernel) {}
  QuantConv2dOptions& stride(std::int64_t s) { stride_ = s; return *this; }
  QuantConv2dOptions& padding(std::int64_t p) { padding_ = p; return *this; }
  QuantConv2dOptions& bias(bool b) { bias_ = b; return *this; }
  std::int64_t in_, out_, kernel_, stride_ = 1, padding_ = 0;
  bool bias_ = false;
};

// 2-D convolution whose weight (and optionally input) pass through ternary fake-quantizers.
class QuantConv2dImpl : public torch::nn::Module, public QuantLayer {
 public:
  explicit QuantConv2dImpl(const QuantConv2dOptions& o);
  at::Tensor forward(const at::Tensor& x);
  LayerKind kind() const override { return LayerKind::Conv; }
  at::Tensor latentWeight() const override { return weight; }
  std::int64_t lastMacsPerSample() const override { return lastMacs_; }
  void setWeightQuantizer(std::shared_ptr<quant::TensorQuantizer> q) override;
  void setInputQuantizer(std::shared_ptr<quant::TensorQuantizer> q) override;
  const QuantConv2dOptions& options() const { return opts_; }

  at::Tensor weight;
  at::Tensor bias;

 private:
  QuantConv2dOptions opts_;
  std::int64_t lastMacs_ = 0;
};

}  // namespace ternlab::nn
