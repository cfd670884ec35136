#pragma once
// Layer epilogue on the int32 GEMM output (rows = output pixels, cols = channels): per-channel
// affine y = scale[n] * acc + bias[n] (folded alpha and BatchNorm) into float NCHW, for conv2dTernary.
// The engine's fused epilogue (activations, residuals, next layer's codes) is kernels/BitConv.h.
#include <cstdint>

#include "kernels/ConvQuantize.h"

namespace ternlab::kernels {

// Per-output-channel affine; null scale means 1, null bias means 0.
struct ChannelAffine {
  const float* scale = nullptr;
  const float* bias = nullptr;
  float apply(int n, std::int32_t acc) const {
    const float s = scale ? scale[n] : 1.0f;
    const float b = bias ? bias[n] : 0.0f;
    return s * static_cast<float>(acc) + b;
  }
};

// acc is (batch*HW) x N row-major; y is NCHW with C = N.
void epilogueToNCHW(const std::int32_t* acc, int batch, int hw, int N, const ChannelAffine& affine, float* y);


}  // namespace ternlab::kernels
