#include "kernels/ReferenceGemm.h"

#include <cstddef>

namespace ternlab::kernels {

void referenceGemm(const std::int8_t* x, const std::int8_t* w, int M, int N, int K, std::int32_t* C) {
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      std::int32_t acc = 0;
      const std::int8_t* xr = x + static_cast<std::size_t>(m) * K;
      const std::int8_t* wr = w + static_cast<std::size_t>(n) * K;
      for (int k = 0; k < K; ++k) acc += static_cast<std::int32_t>(xr[k]) * wr[k];
      C[static_cast<std::size_t>(m) * N + n] = acc;
    }
}

}  // namespace ternlab::kernels
