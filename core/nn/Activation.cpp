#include "nn/Activation.h"

#include <torch/torch.h>

#include <stdexcept>

namespace ternlab::nn {

ActivationImpl::ActivationImpl(std::int64_t channels, const std::string& kind) {
  if (kind == "rprelu")
    rprelu_ = register_module("rprelu", RPReLU(channels));
  else if (kind != "relu")
    throw std::invalid_argument("model.activation '" + kind + "' is not one of relu, rprelu");
}

at::Tensor ActivationImpl::forward(const at::Tensor& x) { return rprelu_ ? rprelu_->forward(x) : torch::relu(x); }

}  // namespace ternlab::nn
