#pragma once
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <string>

#include "nn/RPReLU.h"

namespace ternlab::nn {

// The nonlinearity a zoo model puts after each BatchNorm, chosen by model.activation: "relu" (no
// parameters) or "rprelu" (ReActNet eq. 3, the asymmetric paper's activation layer, with its own
// per-channel shifts and slope). One module per use, so every RPReLU learns its own parameters.
class ActivationImpl : public torch::nn::Module {
 public:
  ActivationImpl(std::int64_t channels, const std::string& kind);
  at::Tensor forward(const at::Tensor& x);

 private:
  RPReLU rprelu_{nullptr};
};
TORCH_MODULE(Activation);

}  // namespace ternlab::nn
