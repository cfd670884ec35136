#pragma once
#include <ATen/core/Tensor.h>

namespace ternlab::quant {

// The element-wise passes of the uniform normalisation (asymmetric paper eq. 9), each fused into one pass
// over the tensor: batch statistics and the learned affine map. Sums use fixed chunks (thread-count independent).

// σ of the half-Gaussian: sqrt(mean of x² over x > 0) (0 when no element is positive).
double positiveRms(const at::Tensor& x);

struct MeanStd {
  double mean = 0, std = 0;  // std unbiased (n − 1), as torch::std
};
MeanStd meanStd(const at::Tensor& x);

// γ·(k·x + shift), rounded like the unfused float ops ((x·k) + shift, then ·γ); gradients for x and γ.
at::Tensor gammaAffine(const at::Tensor& x, const at::Tensor& gamma, double k, double shift);

}  // namespace ternlab::quant
