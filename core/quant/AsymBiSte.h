#pragma once
#include <ATen/core/Tensor.h>

#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// One pass of the asymmetric quantizer over x: the codes of eq. 8 for z = affine(x) with thresholds t1, t2
// (Δp, Δn signed; Δ1, Δ2 half-range). The affine map is eq. 9's normalisation folded into the pass, so that
// z is never written out; the identity by default.
struct AsymPass {
  double t1 = 0, t2 = 0;
  bool halfRange = false;
  InputAffine affine;
};

// Codes of eq. 8 and the two sums of the least-squares scale, from one pass over x.
struct AsymCodes {
  at::Tensor codes;  // x's dtype and shape: {-1, 0, 1} (signed) or {0, 1, 2} (half-range)
  double sumZC = 0;  // Σ z·c
  double sumCC = 0;  // Σ c²
};
AsymCodes asymCodes(const at::Tensor& x, const AsymPass& p);

// α·codes(z), z = γ·(k·x + shift), whose backward is the bi-STE of AsymQuantizer::expectedCode (derivation in
// AsymQuantizer.cpp) chained through the affine map, in one fused pass each way: neither z nor the codes are
// stored, the backward recomputes them from x (autograd of the unfused graph walks a ResNet activation a dozen
// times). alpha, t1, t2 and gamma are 0-dim tensors (they may be expressions of parameters: the chain rule goes
// through them); gamma undefined: no normalisation. The codes use p.t1, p.t2 (the thresholds' values), the
// affine map p.affine.k, p.affine.shift and gamma's value. Reductions run in fixed-size chunks summed in order,
// so the gradients do not depend on the thread count.
at::Tensor asymBiSte(const at::Tensor& x, const AsymPass& p, const at::Tensor& alpha, const at::Tensor& t1,
                     const at::Tensor& t2, const at::Tensor& gamma = {});

}  // namespace ternlab::quant
