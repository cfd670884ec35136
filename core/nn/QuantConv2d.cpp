#include "nn/QuantConv2d.h"

#include <torch/torch.h>

#include <cmath>

namespace ternlab::nn {

QuantConv2dImpl::QuantConv2dImpl(const QuantConv2dOptions& o) : opts_(o) {
  weight = register_parameter("weight", torch::empty({o.out_, o.in_, o.kernel_, o.kernel_}));
  torch::nn::init::kaiming_normal_(weight, 0.0, torch::kFanOut, torch::kReLU);
  if (o.bias_) bias = register_parameter("bias", torch::zeros({o.out_}));
}

void QuantConv2dImpl::setWeightQuantizer(std::shared_ptr<quant::TensorQuantizer> q) {
  weightQuant_ = installQuantizer(*this, "wq", std::move(q));
}

void QuantConv2dImpl::setInputQuantizer(std::shared_ptr<quant::TensorQuantizer> q) {
  inputQuant_ = installQuantizer(*this, "aq", std::move(q));
}

at::Tensor QuantConv2dImpl::forward(const at::Tensor& input) {
  const auto x = inputQuant_ ? inputQuant_->forward(input) : input;
  const auto w = weightQuant_ ? weightQuant_->forward(weight) : weight;
  at::Tensor y;
  if (is_training()) {
    y = torch::conv2d(x, w, bias, {opts_.stride_, opts_.stride_}, {opts_.padding_, opts_.padding_});
  } else {
    y = evalForward(x, w, bias, [this](const at::Tensor& a, const at::Tensor& b) {
      return torch::conv2d(a, b, {}, {opts_.stride_, opts_.stride_}, {opts_.padding_, opts_.padding_});
    });
  }
  lastMacs_ = y.size(1) * y.size(2) * y.size(3) * opts_.in_ * opts_.kernel_ * opts_.kernel_;
  return y;
}

}  // namespace ternlab::nn
