#pragma once
// The reference every path is tested against: plain loops over int8 codes, no packing.
#include <cstdint>

namespace ternlab::kernels {

// C[m * N + n] = sum_k x[m * K + k] * w[n * K + k]   (both operands row-major over K).
void referenceGemm(const std::int8_t* x, const std::int8_t* w, int M, int N, int K, std::int32_t* C);

}  // namespace ternlab::kernels
