#include "nn/QuantLayer.h"

#include <torch/torch.h>

namespace ternlab::nn {

std::shared_ptr<quant::TensorQuantizer> installQuantizer(torch::nn::Module& owner, const std::string& name,
                                                         std::shared_ptr<quant::TensorQuantizer> q) {
  if (!q) return nullptr;
  if (owner.named_children().contains(name)) return owner.replace_module(name, q);
  return owner.register_module(name, q);
}

}  // namespace ternlab::nn
