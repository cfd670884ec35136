#pragma once
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace ternlab::nn {

// RPReLU (ReActNet, Liu et al. 2020, arXiv:2003.03488, eq. 3): per channel c,
//   f(x) = x − γ_c + ζ_c            if x > γ_c
//        = β_c·(x − γ_c) + ζ_c      otherwise,
// i.e. a PReLU with learnable shifts before (γ) and after (ζ). Channels are dimension 1 (N, C, ...).
class RPReLUImpl : public torch::nn::Module {
 public:
  explicit RPReLUImpl(std::int64_t channels, double initSlope = 0.25);
  at::Tensor forward(const at::Tensor& x);

  at::Tensor shiftIn;   // γ
  at::Tensor slope;     // β
  at::Tensor shiftOut;  // ζ
};
TORCH_MODULE(RPReLU);

}  // namespace ternlab::nn
