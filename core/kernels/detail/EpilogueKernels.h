#pragma once
// The fused layer epilogue written once over a small float-vector traits type F, instantiated by each
// per-ISA file (portable scalar, AVX2, AVX-512) like TileKernels.h. Include ONLY from those .cpp files,
// which are built with -ffp-contract=off: every multiply and add rounds as the training graph's separate
// tensor operations do, so codes and logits are the same on every path.
//
// F must provide: kLanes, Vec, Mask, loadI (int32 -> Vec), loadF, set1, add, sub, mul, ltMask, gtMask,
// select (mask ? a : b), storeF, bits (mask -> kLanes low bits).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/detail/EpilogueArgs.h"

namespace ternlab::kernels::detail {
namespace {

constexpr int kEpilogueMaxWords = 64;  // 4096 channels per output pixel

// One float per "vector": the tail of every path, and the whole portable path.
struct FScalar {
  static constexpr int kLanes = 1;
  using Vec = float;
  using Mask = bool;
  static Vec loadI(const std::int32_t* p) { return static_cast<float>(*p); }
  static Vec loadF(const float* p) { return *p; }
  static Vec set1(float v) { return v; }
  static Vec add(Vec a, Vec b) { return a + b; }
  static Vec sub(Vec a, Vec b) { return a - b; }
  static Vec mul(Vec a, Vec b) { return a * b; }
  static Mask ltMask(Vec a, Vec b) { return a < b; }
  static Mask gtMask(Vec a, Vec b) { return a > b; }
  static Vec select(Mask m, Vec a, Vec b) { return m ? a : b; }
  static void storeF(float* p, Vec v) { *p = v; }
  static std::uint32_t bits(Mask m) { return m ? 1u : 0u; }
};

template <class F>
inline typename F::Vec loadAcc(const std::int32_t* p, const std::int32_t* add) {
  if (!add) return F::loadI(p);
  std::int32_t t[F::kLanes];
  for (int l = 0; l < F::kLanes; ++l) t[l] = p[l] + add[l];
  return F::loadI(t);
}
template <class F>
inline typename F::Vec loadAcc(const float* p, const std::int32_t*) {
  return F::loadF(p);
}

template <class F>
inline typename F::Vec activate(const EpilogueActArgs& a, int n, typename F::Vec v) {
  if (a.kind == 1) return F::select(F::ltMask(v, F::set1(0.0f)), F::set1(0.0f), v);
  if (a.kind == 2) {
    const auto u = F::sub(v, F::loadF(a.shiftIn + n));
    const auto pr = F::select(F::gtMask(u, F::set1(0.0f)), u, F::mul(F::loadF(a.slope + n), u));
    return F::add(pr, F::loadF(a.shiftOut + n));
  }
  return v;
}

// Channels [n, n + F::kLanes) of one output row; returns the code bits in m / s.
template <class F, class AccT>
inline void epilogueChunk(const EpilogueArgs& a, const AccT* row, int n, float f, const float* resRow,
                          float* outRow, std::uint32_t& mBits, std::uint32_t& sBits) {
  constexpr int L = F::kLanes;
  typename F::Vec v;
  if (!a.scale) {
    v = loadAcc<F>(row + n, a.colAdd ? a.colAdd + n : nullptr);
  } else {
    const auto fv = F::set1(f);
    v = F::mul(F::mul(F::loadF(a.scale + n), fv), loadAcc<F>(row + n, a.colAdd ? a.colAdd + n : nullptr));
    for (int p = 1; p < a.planes; ++p) {
      const int q = p * a.N + n;
      v = F::add(v, F::mul(F::mul(F::loadF(a.scale + q), fv), loadAcc<F>(row + q, a.colAdd ? a.colAdd + q : nullptr)));
    }
    v = F::add(v, F::loadF(a.bias + n));
  }
  v = activate<F>(a.act1, n, v);
  if (resRow) {
    const int c = n - a.resOffset;
    if (c >= 0 && c + L <= a.resC) {
      v = F::add(v, F::loadF(resRow + c));
    } else if (c + L > 0 && c < a.resC) {  // straddles the zero-padded channels
      float t[L];
      for (int l = 0; l < L; ++l) t[l] = (c + l >= 0 && c + l < a.resC) ? resRow[c + l] : 0.0f;
      v = F::add(v, F::loadF(t));
    }
  }
  v = activate<F>(a.act2, n, v);
  if (outRow) F::storeF(outRow + n, v);
  if (a.bitsM) {
    const auto neg = F::ltMask(v, F::set1(a.thrNeg));
    const auto pos = F::gtMask(v, F::set1(a.thrPos));
    sBits = F::bits(neg);
    mBits = sBits | F::bits(pos);
  }
}

// Stores a pixel's code bits (bytes of little-endian words) without a library call.
inline void storeBits(std::uint8_t* dst, const std::uint64_t* w, int bytes) {
  int i = 0;
  for (; i + 8 <= bytes; i += 8) std::memcpy(dst + i, w + i / 8, 8);
  if (i < bytes) {
    const std::uint64_t v = w[i / 8];
    for (int b = 0; i < bytes; ++i, ++b) dst[i] = static_cast<std::uint8_t>(v >> (8 * b));
  }
}

template <class F, class AccT>
void epilogueRows(const EpilogueArgs& a, const AccT* acc, std::size_t ldAcc, int r0, int r1) {
  constexpr int L = F::kLanes;
  const int hw = a.outH * a.outW;
  const int words = (a.N + 63) / 64;
  // (b, oy, ox) of row r0, then stepped row by row (no divisions per row).
  int b = r0 / hw, oy = (r0 % hw) / a.outW, ox = r0 % a.outW;
  for (int r = r0; r < r1; ++r) {
    const AccT* row = acc + static_cast<std::size_t>(r - r0) * ldAcc;
    const float f = a.perImage ? a.perImage[b] : 1.0f;
    const float* resRow =
        a.res ? a.res + ((static_cast<std::size_t>(b) * a.resH + oy * a.resStride) * a.resW + ox * a.resStride) * a.resC
              : nullptr;
    float* outRow = a.outF ? a.outF + static_cast<std::size_t>(r) * a.N : nullptr;
    std::uint64_t mw[kEpilogueMaxWords], sw[kEpilogueMaxWords];
    for (int w = 0; w < words; ++w) mw[w] = sw[w] = 0;
    int n = 0;
    for (; n + L <= a.N; n += L) {
      std::uint32_t mb = 0, sb = 0;
      epilogueChunk<F>(a, row, n, f, resRow, outRow, mb, sb);
      mw[n >> 6] |= static_cast<std::uint64_t>(mb) << (n & 63);
      sw[n >> 6] |= static_cast<std::uint64_t>(sb) << (n & 63);
    }
    for (; n < a.N; ++n) {
      std::uint32_t mb = 0, sb = 0;
      epilogueChunk<FScalar>(a, row, n, f, resRow, outRow, mb, sb);
      mw[n >> 6] |= static_cast<std::uint64_t>(mb) << (n & 63);
      sw[n >> 6] |= static_cast<std::uint64_t>(sb) << (n & 63);
    }
    if (a.bitsM) {
      const std::size_t off = static_cast<std::size_t>(b) * a.bitsImage +
                              static_cast<std::size_t>(oy + a.bitsPad) * a.bitsRow +
                              static_cast<std::size_t>(ox + a.bitsPad) * a.bitsPix;
      if (a.bitsPix == 2) {  // 16 channels: the common narrow layer
        const auto m16 = static_cast<std::uint16_t>(mw[0]), s16 = static_cast<std::uint16_t>(sw[0]);
        std::memcpy(a.bitsM + off, &m16, 2);
        std::memcpy(a.bitsS + off, &s16, 2);
      } else {
        storeBits(a.bitsM + off, mw, a.bitsPix);
        storeBits(a.bitsS + off, sw, a.bitsPix);
      }
    }
    if (++ox == a.outW) {
      ox = 0;
      if (++oy == a.outH) oy = 0, ++b;
    }
  }
}

}  // namespace
}  // namespace ternlab::kernels::detail
