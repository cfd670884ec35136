#pragma once
#include <ATen/core/Tensor.h>

namespace ternlab::quant {

// Codes of the asymmetric paper's eq. 8 and the two sums of the least-squares scale, from one pass over z.
struct AsymCodes {
  at::Tensor codes;  // z's dtype and shape: {-1, 0, 1} (signed) or {0, 1, 2} (half-range)
  double sumZC = 0;  // Σ z·c
  double sumCC = 0;  // Σ c²
};
AsymCodes asymCodes(const at::Tensor& z, double t1, double t2, bool halfRange);

// α·codes whose backward is the bi-STE of AsymQuantizer::expectedCode (derivation in AsymQuantizer.cpp),
// computed in one fused pass: autograd of the expectedCode graph walks a ResNet activation a dozen times.
// alpha, t1, t2 are 0-dim tensors (they may be expressions of parameters: the chain rule goes through them);
// codes must come from asymCodes() with the values of t1 and t2. Reductions run in fixed-size chunks summed in
// order, so the gradients do not depend on the thread count.
at::Tensor asymBiSte(const at::Tensor& z, const at::Tensor& codes, const at::Tensor& alpha, const at::Tensor& t1,
                     const at::Tensor& t2, bool halfRange);

}  // namespace ternlab::quant
