#pragma once
// Conventional 2-bit GEMM, 4 AND + 4 popcounts per word (docs/ARCHITECTURE.md): the fair baseline for
// the "2x fewer bit operations" claim, with the same register tiling as the ternary kernel.
//   sum u_x u_w = 4 popc(hx&hw) + 2 popc(hx&lw) + 2 popc(lx&hw) + popc(lx&lw),
//   x.w = sum u_x u_w - sum u_x - sum u_w + K   (u = code + 1).
#include <cstdint>

#include "kernels/GemmOptions.h"
#include "kernels/PackedTwoBit.h"

namespace ternlab::kernels {

// C[m][n] = sum_k x[m][k] * w[n][k] for codes in {-1..2}; M x N row-major.
void twoBitGemm(const TwoBitRows& x, const TwoBitPanels& w, std::int32_t* C,
                const GemmOptions& opts = GemmOptions());

}  // namespace ternlab::kernels
