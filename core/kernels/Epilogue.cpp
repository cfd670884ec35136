#include "kernels/Epilogue.h"

#include <cstddef>

namespace ternlab::kernels {

void epilogueToNCHW(const std::int32_t* acc, int batch, int hw, int N, const ChannelAffine& affine, float* y) {
  for (int b = 0; b < batch; ++b)
    for (int p = 0; p < hw; ++p) {
      const std::int32_t* row = acc + (static_cast<std::size_t>(b) * hw + p) * N;
      float* base = y + static_cast<std::size_t>(b) * N * hw + p;
      for (int n = 0; n < N; ++n) base[static_cast<std::size_t>(n) * hw] = affine.apply(n, row[n]);
    }
}

}  // namespace ternlab::kernels
