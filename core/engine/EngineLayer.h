#pragma once
// One conv/linear layer of a .tnn prepared for execution: weights packed once for the kernel its
// mode needs (2-popcount panels, int8 panels or fp32), border corrections for {0,1,2} inputs.
#include <cstdint>
#include <vector>

#include "engine/EngineOptions.h"
#include "engine/FeatureMap.h"
#include "engine/TnnModel.h"
#include "kernels/ConvQuantize.h"
#include "kernels/ConvShape.h"
#include "kernels/PackedInt8.h"
#include "kernels/PackedTernary.h"

namespace ternlab::engine {

// Executes one layer; exists so the program interpreter never looks at packing or modes.
class EngineLayer {
 public:
  // inH/inW: spatial size of the layer's input (1x1 for linear layers).
  EngineLayer(const TnnLayer& layer, int inH, int inW);
  // y = act(affine(layer(x))), relu fused into the epilogue. acc (optional, ternary-act modes only)
  // receives the int32 accumulators, rows (n, oh, ow) x outC, as Σ x_code * w_code.
  void forward(const FeatureMap& x, FeatureMap& y, bool relu, const EngineOptions& o,
               std::vector<std::int32_t>* acc) const;
  // Signed ternary-activation layers only: float x -> codes of the next layer, quantized against `next` in the
  // epilogue (kernels::conv2dTernaryPacked); and packed codes in -> float out (im2row on bits + GEMM + affine).
  void forwardToPacked(const FeatureMap& x, const kernels::QuantThresholds& next, kernels::PackedFeatureMap& out,
                       int threads) const;
  void forwardFromPacked(const kernels::PackedFeatureMap& in, FeatureMap& y, bool relu, int threads) const;
  int outH() const { return shape_.outH(); }
  int outW() const { return shape_.outW(); }

 private:
  void forwardFloat(const FeatureMap& x, FeatureMap& y, bool relu) const;
  void forwardInt8(const FeatureMap& x, FeatureMap& y, bool relu, int threads) const;
  void forwardFp32Ternary(const FeatureMap& x, FeatureMap& y, bool relu, int threads) const;
  void forwardTernaryAct(const FeatureMap& x, FeatureMap& y, bool relu, int threads,
                         std::vector<std::int32_t>* acc) const;

  const TnnLayer& layer_;
  kernels::ConvShape shape_;  // batch set per call
  kernels::TernaryPanels panels_;
  kernels::Int8Panels int8Panels_;
  std::vector<std::int32_t> borderSum_;
  std::vector<std::vector<int>> plus_, minus_;  // FP-activation layers: K indices of +1 / -1 weights per channel  // half-range only: per output pixel x channel, Σ w over in-bounds taps
};

}  // namespace ternlab::engine
