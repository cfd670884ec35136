#pragma once
#include <ATen/core/Tensor.h>

namespace ternlab::quant {

// FATNN's forward and straight-through backward (FatnnQuantizer.h) in one fused pass each way. Signed:
// codes = round(clip(x·a0, −1, 0)) + round(clip(x·a1, 0, 1)); half-range: round(clip(x·a0, 0, 1)) +
// round(clip(x·a1 − 1, 0, 1)); value α·codes. Gradients (rounding straight through, clip passing its
// argument inside its range, bounds included): ∂x = α·(a0·[in band 0] + a1·[in band 1]), ∂a_k = α·Σ g·x·[in band k],
// ∂α = Σ g·codes. a0, a1 and alpha are 0-dim parameters; reductions are ordered (thread-count independent).
// The value α·codes; the backward recomputes the codes from x (no code tensor is written).
at::Tensor fatnnQuantize(const at::Tensor& x, const at::Tensor& a0, const at::Tensor& a1, const at::Tensor& alpha,
                         bool halfRange);
// The codes alone for the widths a0, a1, exactly as fatnnQuantize's forward makes them (no gradient).
at::Tensor fatnnCodes(const at::Tensor& x, double a0, double a1, bool halfRange);

}  // namespace ternlab::quant
