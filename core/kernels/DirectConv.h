#pragma once
// FP convolution for layers with few input channels (a network's first layer), summed the way LibTorch's CPU
// convolution (oneDNN) sums it on x86 for batches of 8 and more: from zero, one fused multiply-add per tap in the
// order kernel row, kernel column, input channel. The engine uses it only after a probe on the layer's own
// weights shows results equal to torch::conv2d's (Engine.cpp); it replaces a library call whose reorders and
// NCHW output cost more than the arithmetic.
#include <vector>

#include "kernels/AlignedBuffer.h"
#include "kernels/GemmOptions.h"

namespace ternlab::kernels {

// Weights as [kh][kw][c][outPad] (outPad: outC rounded up to 16 lanes, zero past outC).
struct DirectConvWeights {
  int outC = 0, inC = 0, kernel = 1, stride = 1, pad = 0, outPad = 0;
  AlignedVec<float> w;
};

// oihw: outC x inC x kernel x kernel, as PyTorch stores them.
DirectConvWeights packDirectConvWeights(const float* oihw, int outC, int inC, int kernel, int stride, int pad);

// x: n images NCHW (inC x h x w); y: n x oh x ow x outC (NHWC), oh = (h + 2 pad − kernel) / stride + 1.
void directConv(const float* x, int n, int h, int w, const DirectConvWeights& wt, float* y,
                const GemmOptions& opts = GemmOptions());

}  // namespace ternlab::kernels
