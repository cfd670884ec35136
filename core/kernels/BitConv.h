#pragma once
// The packed engine's layer kernel: a ternary convolution (or linear layer) over a bordered bit map. The
// 2-popcount GEMM tiles read each output pixel's kernel rows straight from the map as whole 64-bit words,
// block by block, and every block is finished in a fused epilogue (folded BatchNorm and scales,
// ReLU/RPReLU, residual add, next layer's codes and/or NHWC floats) while the accumulators are in cache.
#include <cstdint>
#include <vector>

#include "kernels/BitMap.h"
#include "kernels/ConvShape.h"
#include "kernels/GemmOptions.h"
#include "kernels/PackedTernary.h"

namespace ternlab::kernels {

// Element-wise activation of an epilogue.
enum class ActKind { None = 0, Relu = 1, Rprelu = 2 };

// An activation and, for RPReLU, its per-channel γ (shiftIn), β (slope), ζ (shiftOut).
struct EpilogueAct {
  ActKind kind = ActKind::None;
  const float* shiftIn = nullptr;
  const float* slope = nullptr;
  const float* shiftOut = nullptr;
};

// A codes-only epilogue solved into integers (FINN-style thresholding, exact): the float chain
// acc -> scale, bias -> ReLU / RPReLU (slopes >= 0) -> thresholds is monotone in acc, so per channel, with
// t = dir·acc: code +1 exactly when t >= posFrom, −1 exactly when t <= negTo.
struct IntegerCodes {
  std::vector<std::int32_t> dir, posFrom, negTo;
};

struct LayerEpilogue;
// Solves `e` (its affine, act1 and `next` thresholds) for integer sums (colAdd included) in [accMin, accMax]
// by bisection on the scalar epilogue (the arithmetic of every path). False, leaving `out` alone, when `e`
// writes floats, adds a residual, has several planes or a per-image factor, or an activation that is not
// monotone.
bool integerCodesFor(const struct LayerEpilogue& e, int N, std::int32_t accMin, std::int32_t accMax,
                     IntegerCodes& out);

// What a layer does with its accumulators, in this order (one pass, per output pixel and channel n):
//   v = Σ_p (scale[p N + n] · f_image) · acc_p[n]            (scale null: v = acc, quantize only)
//   v = ((v + preBias[n]) · bnScale[n]) + bias[n]            (each rounded on its own; null preBias: no add,
//                                                            null bnScale: 1 — a folded affine of older files)
//   v = act1(v); v += residual (NHWC float, option-A subsampled / channel-offset); v = act2(v)
//   outFloat[pixel, n] = v;  outBits codes: v < next.neg → −1, v > next.pos → +1, else 0.
struct LayerEpilogue {
  const float* scale = nullptr;
  const float* bias = nullptr;
  const float* preBias = nullptr;
  const float* bnScale = nullptr;
  int planes = 1;
  const float* perImage = nullptr;
  EpilogueAct act1, act2;
  const float* residual = nullptr;
  int resH = 0, resW = 0, resC = 0, resStride = 1, resOffset = 0;
  float* outFloat = nullptr;
  BitMap* outBits = nullptr;
  QuantThresholds next;
  const IntegerCodes* integerCodes = nullptr;  // from integerCodesFor: the same codes, no float work
};

// Ternary weights packed for bitConv. K is ordered by kernel row kh; each row holds its k taps x C
// codes (pixBytes per tap, as in BitMap) padded to `segWords` whole words, zero in the padding, so
// the input side is k·segWords plain loads per output pixel, straight from the map. Several weight planes (TTQ's positive /
// negative parts, REL's branches) are stacked as extra output rows and summed by the epilogue.
struct BitConvWeights {
  int outC = 0, planes = 1, inC = 0, kernel = 1, stride = 1, pad = 0;
  int pixBytes = 0, segWords = 0;
  bool halfRangeInput = false;  // inputs are {0,1,2} stored as y = x − 1: colAdd = Σ_k w adds the +1 back
  TernaryPanels panels;         // planes · outC rows
  std::vector<std::int32_t> colAdd;
  int words() const { return kernel * segWords; }
};

// CPU seconds of bitConv's three phases, summed over threads (profiling only): gather = the row addresses
// of a block (the loads themselves are inside the GEMM tiles), gemm, epilogue.
struct BitConvTimes {
  double gather = 0, gemm = 0, epilogue = 0;
};

// codes: planes · outC rows of OIHW codes in {−1, 0, 1} (inC · kernel · kernel each).
BitConvWeights packBitConvWeights(const std::int8_t* codes, int planes, int outC, int inC, int kernel, int stride,
                                  int pad, bool halfRangeInput);

// y = epilogue(conv(in, w)). in.pad must be >= w.pad. accOut (optional) receives the integer
// accumulators Σ x·w, rows (n, oh, ow) x planes·outC. Reference ISA runs the portable code.
void bitConv(const BitMap& in, const BitConvWeights& w, const LayerEpilogue& ep, std::int32_t* accOut,
             const GemmOptions& opts = GemmOptions(), BitConvTimes* times = nullptr);

// The same epilogue over accumulators computed elsewhere (rows (n, oh, ow) x planes·N, row-major):
// float ones (FP layers, quantize-only with scale null) and int32 ones (the int8 path).
void floatEpilogue(const float* acc, int batch, int outH, int outW, int N, const LayerEpilogue& ep,
                   const GemmOptions& opts = GemmOptions());
void intEpilogue(const std::int32_t* acc, int batch, int outH, int outW, int N, const LayerEpilogue& ep,
                 const GemmOptions& opts = GemmOptions());

// Direct definition, for tests: Σ over taps and channels of in.at(...) · code, rows (n, oh, ow) x rows.
std::vector<std::int32_t> referenceBitConv(const BitMap& in, const std::int8_t* codes, int rows, int inC, int kernel,
                                           int stride, int pad);

}  // namespace ternlab::kernels
