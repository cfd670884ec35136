#pragma once
// Estimated energy per layer and sample, from per-operation figures of Horowitz, "Computing's energy
// problem (and what we can do about it)", ISSCC 2014 (45 nm, 0.9 V). An order-of-magnitude guide that
// puts cost next to accuracy, not a measurement:
//   fp32 multiply 3.7 pJ + fp32 add 0.9 pJ      -> 4.6 pJ per FP MAC
//   8-bit add 0.03 pJ                           -> per nonzero MAC of ternary weights x int8 activations
//   32-bit add 0.1 pJ                           -> the 2-popcount step: ~3 logic ops + 2 popcounts + 2 adds
//                                                  per 64 ternary x ternary MACs, taken as 3 x 0.1 pJ / 64
//   8 KB SRAM read of 64 bits 10 pJ             -> 0.156 pJ per weight bit read once per sample
#include "report/LayerRow.h"

namespace ternlab::report {

inline constexpr double kFp32MacPj = 3.7 + 0.9;
inline constexpr double kInt8AddPj = 0.03;
inline constexpr double kTernaryMacPj = 3 * 0.1 / 64;
inline constexpr double kSramPjPerBit = 10.0 / 64;

// Compute energy by the layer's weight and activation widths, plus reading its weights once.
inline double estimatedEnergyPj(const LayerRow& r) {
  const bool ternaryW = r.branches > 0, ternaryA = r.activationBits < 32;
  double compute;
  if (!ternaryW) compute = static_cast<double>(r.macs) * kFp32MacPj;
  else if (ternaryA) compute = static_cast<double>(r.macs) * r.branches * kTernaryMacPj;
  else compute = r.effectiveMacs * kInt8AddPj;
  const double weightBits = ternaryW ? 2.0 * r.branches * (r.params) : 32.0 * r.params;
  return compute + weightBits * kSramPjPerBit;
}

}  // namespace ternlab::report
