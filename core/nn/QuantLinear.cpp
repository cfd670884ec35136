#include "nn/QuantLinear.h"

#include <torch/torch.h>

#include <cmath>

namespace ternlab::nn {

QuantLinearImpl::QuantLinearImpl(std::int64_t in, std::int64_t out, bool withBias) : in_(in), out_(out) {
  weight = register_parameter("weight", torch::empty({out, in}));
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (withBias) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    bias = register_parameter("bias", torch::empty({out}).uniform_(-bound, bound));
  }
}

void QuantLinearImpl::setWeightQuantizer(std::shared_ptr<quant::TensorQuantizer> q) {
  weightQuant_ = installQuantizer(*this, "wq", std::move(q));
}

void QuantLinearImpl::setInputQuantizer(std::shared_ptr<quant::TensorQuantizer> q) {
  inputQuant_ = installQuantizer(*this, "aq", std::move(q));
}

at::Tensor QuantLinearImpl::forward(const at::Tensor& input) {
  const auto x = inputQuant_ ? inputQuant_->forward(input) : input;
  const auto w = weightQuant_ ? weightQuant_->forward(weight) : weight;
  if (is_training()) return torch::linear(x, w, bias);
  return evalForward(x, w, bias, [](const at::Tensor& a, const at::Tensor& b) { return torch::mm(a, b.t()); });
}

}  // namespace ternlab::nn
