#pragma once
// Ternary weights x int8 activations: vpdpbusd (AVX-512 VNNI) where present, AVX2 vpmaddubsw
// fallback. Activations are biased to u8, so x.w = sum (x + 128) w - 128 sum w.
#include <cstdint>

#include "kernels/GemmOptions.h"
#include "kernels/PackedInt8.h"

namespace ternlab::kernels {

// C[m][n] = sum_k x[m][k] * w[n][k]; M x N row-major. The Avx512 path needs VNNI and
// otherwise runs the AVX2 tiles.
void int8Gemm(const Int8Rows& x, const Int8Panels& w, std::int32_t* C, const GemmOptions& opts = GemmOptions());

}  // namespace ternlab::kernels
