#pragma once
// Ternary x ternary GEMM, 2-popcount formulation (docs/ARCHITECTURE.md, FATNN):
//   x.w = popc(mx & mw) - 2 popc(mx & mw & (sx ^ sw)),
// and {0,1,2} activations x ternary weights on the same kernel (x = y + 1, see PackedHalfRange.h).
// Output C is M x N row-major int32 (M = activation rows, N = weight rows / output channels).
#include <cstdint>

#include "kernels/GemmOptions.h"
#include "kernels/PackedHalfRange.h"
#include "kernels/PackedTernary.h"

namespace ternlab::kernels {

// C[m][n] = sum_k x[m][k] * w[n][k]; bit-exact with referenceGemm on every ISA path.
void ternaryGemm(const TernaryRows& x, const TernaryPanels& w, std::int32_t* C,
                 const GemmOptions& opts = GemmOptions());

// Same with x from packHalfRangeRows: C[m][n] = sum_k x[m][k] * w[n][k], x in {0,1,2}.
void halfRangeGemm(const TernaryRows& xHalf, const TernaryPanels& w, std::int32_t* C,
                   const GemmOptions& opts = GemmOptions());

}  // namespace ternlab::kernels
