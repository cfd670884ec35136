#pragma once
// BatchNorm (eval) and quantizer scales folded into one per-channel affine on the integer accumulator:
//   bnScale = gamma / sqrt(var + eps);  scale = bnScale * alpha;  bias = beta - mean * bnScale + convBias * bnScale.
// Exists so export, engine and tests agree on one formula.
#include <vector>

namespace ternlab::engine {

// Per-channel BatchNorm statistics and parameters (eval mode); empty vectors mean "no BatchNorm".
struct BnParams {
  std::vector<float> gamma, beta, mean, var;
  double eps = 1e-5;
  bool present() const { return !gamma.empty(); }
};

struct FoldedAffine {
  std::vector<float> scale, bias;
};

// alpha multiplies every channel (alpha_w * alpha_a, or 1 for FP layers); convBias may be empty.
FoldedAffine foldBatchNorm(const BnParams& bn, int channels, double alpha, const std::vector<float>& convBias);

}  // namespace ternlab::engine
