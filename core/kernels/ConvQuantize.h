#pragma once
// Activation side of the ternary convolution: quantize + bit-pack the float input once into a
// per-pixel channel bitplane map, then im2row directly on bits into the GEMM's TernaryRows.
#include <cstdint>

#include "kernels/AlignedBuffer.h"
#include "kernels/ConvShape.h"
#include "kernels/PackedTernary.h"

namespace ternlab::kernels {

// A quantized feature map, NHWC on bits: pixel (n, h, w) holds its C channel codes as
// `words` = ceil(C/64) uint64 of m then the same of s: m[((n*H + h)*W + w) * words + c/64].
// This is also what a layer epilogue writes for the next layer.
struct PackedFeatureMap {
  int batch = 0, channels = 0, height = 0, width = 0, words = 0;
  AlignedVec<std::uint64_t> m;
  AlignedVec<std::uint64_t> s;

  void reset(int batch, int channels, int height, int width);  // shape + zero planes
  std::size_t pixel(int n, int h, int w) const {
    return ((static_cast<std::size_t>(n) * height + h) * width + w) * words;
  }
  std::int8_t at(int n, int c, int h, int w) const;
};

// Quantizes a float NCHW tensor against thresholds and packs it per pixel (one read of x).
void quantizePackNCHW(const float* x, int batch, int channels, int height, int width, const QuantThresholds& thr,
                      PackedFeatureMap& out);

// im2row on bits: row (n, oh, ow) gets, for each tap (kh, kw), the C channel bits of the input
// pixel it reads (zero for padding). out is reset to gemmM() x gemmK().
void im2rowPacked(const PackedFeatureMap& in, const ConvShape& shape, TernaryRows& out);

// Both steps: float NCHW -> ternary codes -> packed im2row rows for the GEMM.
void quantizeIm2row(const float* x, const ConvShape& shape, const QuantThresholds& thr, TernaryRows& out);

// Weights OIHW int8 codes -> panels with K ordered (kh, kw, c) to match im2row.
TernaryPanels packConvWeights(const std::int8_t* codesOIHW, const ConvShape& shape);

}  // namespace ternlab::kernels
