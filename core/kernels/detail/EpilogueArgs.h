#pragma once
// Plain-pointer argument block of the fused layer epilogue (see kernels/LayerEpilogue.h), handed to the
// per-ISA translation units like GemmArgs.h: no std:: types.
#include <cstddef>
#include <cstdint>

namespace ternlab::kernels::detail {

// Element-wise activation inside the epilogue: none, ReLU, or RPReLU (ReActNet eq. 3:
// u = x − γ_c; f = (u > 0 ? u : β_c·u) + ζ_c, in that order of float operations, as the training graph).
struct EpilogueActArgs {
  int kind = 0;  // 0 none, 1 relu, 2 rprelu
  const float* shiftIn = nullptr;
  const float* slope = nullptr;
  const float* shiftOut = nullptr;
};

// One output row (pixel) r = (b, oy, ox) of a layer: v[n] = Σ_p (scale[p N + n]·f_b)·acc[p N + n], then
// v = ((v + preBias[n])·bnScale[n]) + bias[n] (f_b the per-image factor or 1; every operation rounded on its own,
// in this order, as the training graph's eval forward: conv, its bias, BatchNorm's x·s + t), act1, + residual,
// act2; then written as NHWC float and/or as the next layer's codes (m = v < neg or v > pos, s = v < neg) into a
// bordered bit map.
struct EpilogueArgs {
  int N = 0;
  int planes = 1;
  const float* scale = nullptr;          // planes * N; null: identity affine (quantize only)
  const float* bias = nullptr;           // N
  const float* preBias = nullptr;        // N, the layer's own bias before its BatchNorm, or null
  const float* bnScale = nullptr;        // N, BatchNorm's eval factor, or null (1)
  const std::int32_t* colAdd = nullptr;  // planes * N integers added to acc first ({0,1,2} inputs), or null
  const float* perImage = nullptr;       // per image factor (int8 activations), or null
  int outH = 1, outW = 1;                // output map, to locate row r
  EpilogueActArgs act1, act2;
  // Residual (NHWC float, same batch): channel n reads res[(b, oy·stride, ox·stride), n − resOffset]
  // when 0 <= n − resOffset < resC (ResNet option A: subsample + zero-padded channels).
  const float* res = nullptr;
  int resH = 0, resW = 0, resC = 0, resStride = 1, resOffset = 0;
  float* outF = nullptr;                 // NHWC rows x N, or null
  std::uint8_t* bitsM = nullptr;         // bordered bit map planes, or null
  std::uint8_t* bitsS = nullptr;
  std::size_t bitsImage = 0, bitsRow = 0;
  int bitsPix = 0, bitsPad = 0;
  float thrNeg = 0, thrPos = 0;
  // Integer form of a codes-only epilogue (int32 accumulators): with t = codeDir[n]·(acc + colAdd),
  // code +1 if t >= posFrom[n], −1 if t <= negTo[n]; set by integerCodesFor, null otherwise.
  const std::int32_t* codeDir = nullptr;
  const std::int32_t* posFrom = nullptr;
  const std::int32_t* negTo = nullptr;
};

// The code (−1, 0, +1) the float epilogue `a` gives channel n for the integer sum acc (colAdd included);
// portable and built like the kernels, so it is the arithmetic of every path.
int epilogueCodePortable(const EpilogueArgs& a, int n, std::int32_t acc);

// Rows [r0, r1) of the output; acc row i (r0 + i) starts at acc + i * ldAcc.
void epilogueI32Portable(const EpilogueArgs&, const std::int32_t* acc, std::size_t ldAcc, int r0, int r1);
void epilogueI32Avx2(const EpilogueArgs&, const std::int32_t* acc, std::size_t ldAcc, int r0, int r1);
void epilogueI32Avx512(const EpilogueArgs&, const std::int32_t* acc, std::size_t ldAcc, int r0, int r1);
void epilogueF32Portable(const EpilogueArgs&, const float* acc, std::size_t ldAcc, int r0, int r1);
void epilogueF32Avx2(const EpilogueArgs&, const float* acc, std::size_t ldAcc, int r0, int r1);
void epilogueF32Avx512(const EpilogueArgs&, const float* acc, std::size_t ldAcc, int r0, int r1);

}  // namespace ternlab::kernels::detail
