#pragma once
// Geometry of a 2-D convolution and of its GEMM view. Input/output tensors are NCHW float (as in
// torch); the GEMM rows are output pixels (n, oh, ow) and the reduction axis K is ordered
// (kh, kw, c) with the channel fastest, so each kernel tap is one run of C bits.
namespace ternlab::kernels {

// Convolution shape (no groups, no dilation).
struct ConvShape {
  int batch = 1;
  int inC = 0, inH = 0, inW = 0;
  int outC = 0;
  int kH = 3, kW = 3;
  int strideH = 1, strideW = 1;
  int padH = 1, padW = 1;

  int outH() const { return (inH + 2 * padH - kH) / strideH + 1; }
  int outW() const { return (inW + 2 * padW - kW) / strideW + 1; }
  int gemmM() const { return batch * outH() * outW(); }
  int gemmN() const { return outC; }
  int gemmK() const { return kH * kW * inC; }
};

// Ternary quantizer thresholds (neg <= 0 <= pos): code = +1 if x > pos, -1 if x < neg, else 0.
struct QuantThresholds {
  float neg = -0.5f;
  float pos = 0.5f;
};

inline int quantizeCode(float x, const QuantThresholds& t) { return x > t.pos ? 1 : (x < t.neg ? -1 : 0); }

}  // namespace ternlab::kernels
