#pragma once
// One image of the direct FP convolution, written once over a float-vector type V with fused multiply-add
// (kLanes, Vec, zero, bcast (one float to all lanes), load, fma (a·b + c, one rounding), store (first `valid`
// lanes)). Output channels sit in lanes; eight output pixels of a row run at once, so eight independent FMA
// chains hide the FMA latency. Include ONLY from the per-ISA files.
#include "kernels/detail/DirectConvArgs.h"

namespace ternlab::kernels::detail {
namespace {

// Output pixels [ox, ox + P) of row oy, channels [o0, o0 + valid): P independent FMA chains over the taps.
template <class V, int P>
inline void directConvPixels(const DirectConvArgs& a, int oy, int ox, int o0, int valid) {
  const std::size_t plane = static_cast<std::size_t>(a.hp) * a.wp;
  typename V::Vec acc[P];
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p) acc[p] = V::zero();
  const float* w = a.w + o0;
  for (int kh = 0; kh < a.kernel; ++kh) {
    const float* row = a.xp + static_cast<std::size_t>(oy * a.stride + kh) * a.wp + static_cast<std::size_t>(ox) * a.stride;
    for (int kw = 0; kw < a.kernel; ++kw)
      for (int c = 0; c < a.c; ++c, w += a.outPad) {
        const auto wv = V::load(w);
        const float* px = row + kw + c * plane;
#pragma GCC unroll 8
        for (int p = 0; p < P; ++p) acc[p] = V::fma(V::bcast(px + p * a.stride), wv, acc[p]);
      }
  }
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p) V::store(a.y + (static_cast<std::size_t>(oy) * a.ow + ox + p) * a.outC + o0, acc[p], valid);
}

// Layers with few output channels (LeNet's 6), stride 1: output pixels in lanes instead — kLanes consecutive
// pixels of a row load as one vector per tap, each output channel is one accumulator (the same FMA chain per
// output, so the same results); two such blocks at once keep enough chains in flight. The padded image has
// slack past its end for the last blocks' full-vector reads (kDirectSlack floats).
template <class V>
void directConvPixelLanes(const DirectConvArgs& a) {
  constexpr int L = V::kLanes, kMaxOut = L / 2, B = 2;
  const std::size_t plane = static_cast<std::size_t>(a.hp) * a.wp;
  alignas(64) float buf[kMaxOut][L];
  for (int oy = 0; oy < a.oh; ++oy)
    for (int ox0 = 0; ox0 < a.ow; ox0 += B * L) {
      typename V::Vec acc[B][kMaxOut];
      for (int b = 0; b < B; ++b)
        for (int o = 0; o < kMaxOut; ++o) acc[b][o] = V::zero();
      const float* w = a.w;
      for (int kh = 0; kh < a.kernel; ++kh) {
        const float* row = a.xp + static_cast<std::size_t>(oy + kh) * a.wp + ox0;
        for (int kw = 0; kw < a.kernel; ++kw)
          for (int c = 0; c < a.c; ++c, w += a.outPad) {
            const auto x0 = V::load(row + kw + c * plane), x1 = V::load(row + kw + c * plane + L);
            for (int o = 0; o < a.outC; ++o) {
              const auto wv = V::bcast(w + o);
              acc[0][o] = V::fma(x0, wv, acc[0][o]);
              acc[1][o] = V::fma(x1, wv, acc[1][o]);
            }
          }
      }
      for (int b = 0; b < B; ++b) {
        const int first = ox0 + b * L, valid = a.ow - first < L ? a.ow - first : L;
        if (valid <= 0) break;
        for (int o = 0; o < a.outC; ++o) V::store(buf[o], acc[b][o], L);
        float* y = a.y + (static_cast<std::size_t>(oy) * a.ow + first) * a.outC;
        for (int p = 0; p < valid; ++p)
          for (int o = 0; o < a.outC; ++o) y[p * a.outC + o] = buf[o][p];
      }
    }
}

template <class V>
void directConvImage(const DirectConvArgs& a) {
  constexpr int L = V::kLanes;
  if (L >= 8 && a.stride == 1 && 2 * a.outC <= L) return directConvPixelLanes<V>(a);
  for (int oy = 0; oy < a.oh; ++oy)
    for (int o0 = 0; o0 < a.outC; o0 += L) {
      const int valid = a.outC - o0 < L ? a.outC - o0 : L;
      int ox = 0;
      for (; ox + 8 <= a.ow; ox += 8) directConvPixels<V, 8>(a, oy, ox, o0, valid);
      for (; ox + 4 <= a.ow; ox += 4) directConvPixels<V, 4>(a, oy, ox, o0, valid);
      for (; ox < a.ow; ++ox) directConvPixels<V, 1>(a, oy, ox, o0, valid);
    }
}

}  // namespace
}  // namespace ternlab::kernels::detail
