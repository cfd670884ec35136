#include "nn/QuantLayer.h"

#include <torch/torch.h>

namespace ternlab::nn {

std::shared_ptr<quant::TensorQuantizer> installQuantizer(torch::nn::Module& owner, const std::string& name,
                                                         std::shared_ptr<quant::TensorQuantizer> q) {
  if (!q) return nullptr;
  if (owner.named_children().contains(name)) return owner.replace_module(name, q);
  return owner.register_module(name, q);
}

at::Tensor QuantLayer::evalForward(const at::Tensor& xq, const at::Tensor& wq, const at::Tensor& bias,
                                   const WeightOp& op) {
  at::Tensor y;
  if (weightQuant_ && inputQuant_) {
    const auto& codes = inputQuant_->lastCodeValues();
    const auto& scales = inputQuant_->lastScales();
    if (codes.size() == 1 && scales.size() == 1 && scales[0].size() == 1) {
      if (!planesOf_.defined() || !planesOf_.sizes().equals(wq.sizes()) || !planesOf_.equal(wq)) {
        planesOf_ = wq.detach().clone();
        try {
          planes_ = quant::weightPlanes(layerName(), weightQuant_->scheme(), planesOf_, weightQuant_->lastCodes());
        } catch (const std::invalid_argument&) {
          planes_.reset();
        }
      }
      if (planes_) {
        const auto x = codes[0].to(xq.scalar_type());
        for (std::size_t p = 0; p < planes_->codes.size(); ++p) {
          const auto t = op(x, planes_->codes[p].to(xq.scalar_type())) * quant::planeScale(planes_->alpha[p], scales[0][0]);
          y = y.defined() ? y + t : t;
        }
      }
    }
  }
  if (!y.defined()) y = op(xq, wq);
  if (!bias.defined()) return y;
  std::vector<std::int64_t> shape(static_cast<std::size_t>(y.dim()), 1);
  shape[1] = bias.size(0);
  return y + bias.view(shape);
}

}  // namespace ternlab::nn
