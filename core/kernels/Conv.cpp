#include "kernels/Conv.h"

#include <stdexcept>
#include <vector>

#include "kernels/TernaryGemm.h"

namespace ternlab::kernels {
namespace {

// Per-thread scratch reused across calls (no multi-MB allocation + zeroing per layer call).
struct ConvScratch {
  PackedFeatureMap map;
  TernaryRows rows;
  std::vector<std::int32_t> acc;
};

ConvScratch& scratch() {
  thread_local ConvScratch s;
  return s;
}

void checkWeights(const ConvShape& sh, const TernaryPanels& w) {
  if (w.rows != sh.outC || w.cols != sh.gemmK())
    throw std::invalid_argument("conv2dTernary: weights do not match the shape (use packConvWeights)");
}

}  // namespace

void conv2dTernary(const float* x, const ConvShape& sh, const QuantThresholds& thr, const TernaryPanels& w,
                   const ChannelAffine& affine, float* y, const GemmOptions& opts) {
  checkWeights(sh, w);
  ConvScratch& s = scratch();
  quantizePackNCHW(x, sh.batch, sh.inC, sh.inH, sh.inW, thr, s.map);
  im2rowPacked(s.map, sh, s.rows);
  s.acc.resize(static_cast<std::size_t>(sh.gemmM()) * sh.outC);
  ternaryGemm(s.rows, w, s.acc.data(), opts);
  epilogueToNCHW(s.acc.data(), sh.batch, sh.outH() * sh.outW(), sh.outC, affine, y);
}

}  // namespace ternlab::kernels
