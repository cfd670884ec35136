#pragma once
// Ternary convolution = fused quantize/pack/im2row on bits + 2-popcount GEMM + epilogue.
// Layouts: float input/output NCHW, weights OIHW codes packed by packConvWeights, quantized
// maps NHWC-on-bits (PackedFeatureMap). Threads split the GEMM's output tiles.
#include <cstdint>

#include "kernels/ConvQuantize.h"
#include "kernels/Epilogue.h"
#include "kernels/GemmOptions.h"

namespace ternlab::kernels {

// Float in -> float out: y = affine(conv(quantize(x; thr), w)).
void conv2dTernary(const float* x, const ConvShape& shape, const QuantThresholds& thr, const TernaryPanels& w,
                   const ChannelAffine& affine, float* y, const GemmOptions& opts = GemmOptions());

}  // namespace ternlab::kernels
