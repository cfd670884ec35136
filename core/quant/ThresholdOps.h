#pragma once
#include <ATen/core/Tensor.h>

#include <limits>

namespace ternlab::quant {

// Fused passes of the threshold quantizers (TWN, He et al.'s statistical scaling), each one read of the tensor
// where the unfused graph walked a ResNet activation about ten times. Reductions run in fixed chunks summed in
// order (ChunkedSums.h), so results do not depend on the thread count.

// mean |x| (TWN's E|W|) or max |x| (He et al.'s max|W|).
enum class AbsStatistic { Mean, Max };
double absStatistic(const at::Tensor& x, AbsStatistic which);

// codes = sign(x)·[|x| > Δ] (inclusive: |x| ≥ Δ) in x's dtype, with the sum and count of |x| over the selection.
struct ThresholdCodes {
  at::Tensor codes;
  double selectedAbsSum = 0, selectedCount = 0;
  double meanSelectedAbs() const { return selectedCount > 0 ? selectedAbsSum / selectedCount : 0.0; }
};
ThresholdCodes thresholdCodes(const at::Tensor& x, double delta, bool inclusive);

// α·codes whose gradient with respect to x is the straight-through estimator: the identity, or, with a finite
// clip, the identity only where |x| ≤ clip (He et al. eq. 4). No gradient flows to codes or α.
at::Tensor straightThrough(const at::Tensor& x, const at::Tensor& codes, double alpha,
                           double clip = std::numeric_limits<double>::infinity());

// LSQ (Esser et al.) in one pass each way: codes = round(clamp(x/s, −Qn, Qp)), value codes·s; the gradient is
// ∂x = [−Qn ≤ x/s ≤ Qp] and ∂s = gradScale · Σ g·(code − [inside]·x/s) (the paper's eq. 3 with gradscale).
struct LsqForward {
  at::Tensor value, codes;
};
LsqForward lsqQuantize(const at::Tensor& x, const at::Tensor& s, double qn, double qp, double gradScale);

}  // namespace ternlab::quant
