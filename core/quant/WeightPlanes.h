#pragma once
// Fake-quantized weights as a sum of ternary code planes times one scale each, the form the packed engine
// runs and the training graph's exact eval forward computes:
//   one code tensor:  W_q = α·c (TWN, ICS, asym, LSQ, FATNN, ...), else W_q = α_p·[c > 0] − α_n·[c < 0] (TTQ);
//   T code tensors:   W_q = Σ_t α_t·c_t (REL, one plane per branch, summed in the epilogue).
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace ternlab::quant {

struct WeightPlanes {
  std::vector<at::Tensor> codes;  // float, each in {-1, 0, 1}
  std::vector<double> alpha;
};

// The planes of wq (the quantizer's output) from its code tensors: α by least squares, checked to be exact.
// Throws std::invalid_argument naming `layer` and `scheme` when the weights are no such sum.
WeightPlanes weightPlanes(const std::string& layer, const std::string& scheme, const at::Tensor& wq,
                          const std::vector<at::Tensor>& codes);

// The float a plane's integer sums are multiplied by: α_w·α_a in double, rounded once. The graph's exact eval
// forward and the .tnn export both take it from here, so the two round alike.
inline float planeScale(double alphaW, double alphaA) { return static_cast<float>(alphaW * alphaA); }

}  // namespace ternlab::quant
