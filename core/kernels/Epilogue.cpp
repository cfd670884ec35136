#include "kernels/Epilogue.h"

#include <cstddef>
#include <stdexcept>

namespace ternlab::kernels {

void epilogueToNCHW(const std::int32_t* acc, int batch, int hw, int N, const ChannelAffine& affine, float* y) {
  for (int b = 0; b < batch; ++b)
    for (int p = 0; p < hw; ++p) {
      const std::int32_t* row = acc + (static_cast<std::size_t>(b) * hw + p) * N;
      float* base = y + static_cast<std::size_t>(b) * N * hw + p;
      for (int n = 0; n < N; ++n) base[static_cast<std::size_t>(n) * hw] = affine.apply(n, row[n]);
    }
}

void epilogueToPacked(const std::int32_t* acc, int N, const ChannelAffine& affine, const QuantThresholds& next,
                      PackedFeatureMap& out) {
  if (out.channels != N) throw std::invalid_argument("epilogueToPacked: channel mismatch");
  const std::size_t pixels = static_cast<std::size_t>(out.batch) * out.height * out.width;
  for (std::size_t p = 0; p < pixels; ++p) {
    const std::int32_t* row = acc + p * N;
    std::uint64_t* m = out.m.data() + p * out.words;
    std::uint64_t* s = out.s.data() + p * out.words;
    for (int w = 0; w < out.words; ++w) m[w] = s[w] = 0;
    for (int n = 0; n < N; ++n) {
      const int code = quantizeCode(affine.apply(n, row[n]), next);
      if (code == 0) continue;
      const std::uint64_t bit = std::uint64_t{1} << (n & 63);
      m[n >> 6] |= bit;
      if (code < 0) s[n >> 6] |= bit;
    }
  }
}

}  // namespace ternlab::kernels
