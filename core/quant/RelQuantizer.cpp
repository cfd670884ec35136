#include "quant/RelQuantizer.h"

#include <torch/torch.h>

#include <stdexcept>

namespace ternlab::quant {

RelQuantizer::RelQuantizer(std::vector<std::shared_ptr<TensorQuantizer>> branches) : branches_(std::move(branches)) {
  if (branches_.empty()) throw std::invalid_argument("residual expansion needs at least one branch");
  for (std::size_t i = 0; i < branches_.size(); ++i) register_module("b" + std::to_string(i), branches_[i]);
}

std::string RelQuantizer::scheme() const { return branches_.front()->scheme(); }

at::Tensor RelQuantizer::forward(const at::Tensor& w) {
  at::Tensor sum;
  std::vector<at::Tensor> codes;
  std::vector<std::vector<double>> thresholds, scales;
  for (auto& b : branches_) {
    auto q = b->forward(w);
    sum = sum.defined() ? sum + q : q;
    codes.push_back(b->lastCodes().at(0));
    thresholds.push_back(b->lastThresholds().at(0));
    scales.push_back(b->lastScales().at(0));
  }
  remember(std::move(codes), std::move(thresholds), std::move(scales));
  return sum;
}

}  // namespace ternlab::quant
