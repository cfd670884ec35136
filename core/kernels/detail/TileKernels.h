#pragma once
// Register-tiled GEMM loops written once over a small "vector traits" type V, instantiated by
// each per-ISA file (portable 8-lane emulation, AVX2, AVX-512). Include ONLY from those .cpp
// files: everything here has internal linkage, so no instantiation compiled with SIMD flags can
// be shared with another translation unit.
//
// V must provide: kLanes (uint64 lanes per Reg), kByteBudget (addPop calls a counter can take
// before flush; large when counters are 64-bit), Reg, Cnt, load, bcast, and_, andXor (t&(a^b)),
// zero, addPop (counter += popcount per lane), store2<CA,CB> / store3<CA,CB,CC> (int32 lanes of
// a linear combination of counters, written to memory, or added to it when acc is true).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/detail/GemmArgs.h"

namespace ternlab::kernels::detail {
namespace {

inline int tileMin(int a, int b) { return a < b ? a : b; }

// Where a tile's activation words come from: materialised rows (row i, word w at xm[i * stride + w]) ...
struct StridedRows {
  const std::uint64_t* xm;
  const std::uint64_t* xs;
  std::size_t stride;
  std::uint64_t m(int i, int w) const { return xm[i * stride + w]; }
  std::uint64_t s(int i, int w) const { return xs[i * stride + w]; }
};

// ... or gathered on the fly from a bordered bit map: word w of row i at base[i] + off[w] bytes into
// each plane. Four pointers, read through a reference: no per-tile array is built on the stack.
struct GatheredRows {
  const std::uint8_t* gm;
  const std::uint8_t* gs;
  const std::size_t* base;
  const std::uint32_t* off;
  static std::uint64_t at(const std::uint8_t* p) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  std::uint64_t m(int i, int w) const { return at(gm + base[i] + off[w]); }
  std::uint64_t s(int i, int w) const { return at(gs + base[i] + off[w]); }
};

// Words [w0, w1) of one MR x (NV*kLanes) tile of the 2-popcount ternary product:
// x.w = popc(mx & mw) - 2 popc(mx & mw & (sx ^ sw))   (docs/ARCHITECTURE.md, kernel arithmetic).
// Output channels sit in lanes, activation words are broadcast, no horizontal sums in the loop.
// Kept out of line so only the counters and a few pointers are live (no spills on AVX2).
// Writes (acc ? out + : out =) the int32 tile at out[i * ldo + lane].
template <class V, int MR, int NV, class Rows>
__attribute__((noinline)) void ternaryChunk(const Rows& x, const std::uint64_t* wp, int w0, int w1, std::int32_t* out,
                                            std::size_t ldo, bool acc) {
  constexpr int L = V::kLanes;
  typename V::Cnt t[MR][NV], u[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 16
    for (int j = 0; j < NV; ++j) t[i][j] = u[i][j] = V::zero();
  for (int w = w0; w < w1; ++w) {
    const std::uint64_t* pw = wp + static_cast<std::size_t>(w) * (2 * kPanelRows);
    typename V::Reg mw[NV], sw[NV];
#pragma GCC unroll 16
    for (int j = 0; j < NV; ++j) {
      mw[j] = V::load(pw + j * L);
      sw[j] = V::load(pw + kPanelRows + j * L);
    }
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const typename V::Reg bm = V::bcast(x.m(i, w));
      const typename V::Reg bs = V::bcast(x.s(i, w));
#pragma GCC unroll 16
      for (int j = 0; j < NV; ++j) {
        const typename V::Reg tt = V::and_(bm, mw[j]);
        u[i][j] = V::addPop(u[i][j], V::andXor(tt, bs, sw[j]));
        t[i][j] = V::addPop(t[i][j], tt);
      }
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 16
    for (int j = 0; j < NV; ++j) V::template store2<1, -2>(out + i * ldo + j * L, acc, t[i][j], u[i][j]);
}

// A whole tile over all words, in chunks the counters can hold (V::kByteBudget pops).
template <class V, int MR, int NV, class Rows>
void ternaryTile(const Rows& x, const std::uint64_t* wp, int words, std::int32_t* out, std::size_t ldo) {
  if (words == 0) {
    for (int i = 0; i < MR; ++i)
      for (int l = 0; l < NV * V::kLanes; ++l) out[i * ldo + l] = 0;
    return;
  }
  for (int w0 = 0; w0 < words; w0 += V::kByteBudget)
    ternaryChunk<V, MR, NV>(x, wp, w0, tileMin(words, w0 + V::kByteBudget), out, ldo, w0 > 0);
}

// Copies a buffered tile row segment to C, adding the optional per-channel addend.
inline void storeTernaryRow(const TernaryGemmArgs& a, int m, int n0, int nValid, const std::int32_t* v) {
  std::int32_t* c = a.C + static_cast<std::size_t>(m) * a.ldc + n0;
  for (int l = 0; l < nValid; ++l) c[l] = v[l] + (a.colAdd ? a.colAdd[n0 + l] : 0);
}

// The MR rows from m0 of the GEMM's activation side, as the tile kernels read them, then the tile.
template <class V, int MR, int NV>
void ternaryTileAt(const TernaryGemmArgs& a, int m0, const std::uint64_t* wp, std::int32_t* out, std::size_t ldo) {
  if (a.gm) {
    ternaryTile<V, MR, NV>(GatheredRows{a.gm, a.gs, a.rowBase + m0, a.wordOff}, wp, a.words, out, ldo);
  } else {
    ternaryTile<V, MR, NV>(StridedRows{a.xm + m0 * a.xStride, a.xs + m0 * a.xStride, a.xStride}, wp, a.words, out, ldo);
  }
}

// Work items [begin, end) of the ternary GEMM: each is one weight panel x kMBlock rows. Full
// tiles are written straight into C; edges and tiles with an addend go through a small buffer.
template <class V, int MR, int NV>
void ternaryItems(const TernaryGemmArgs& a, std::size_t begin, std::size_t end) {
  constexpr int NR = NV * V::kLanes;
  static_assert(kPanelRows % NR == 0, "a sub-tile must divide the panel");
  static_assert(kRowAlign % MR == 0, "row padding must cover whole row tiles");
  const std::size_t mBlocks = mBlockCount(a.M);
  for (std::size_t item = begin; item < end; ++item) {
    const int p = static_cast<int>(item / mBlocks);
    const int mb = static_cast<int>(item % mBlocks);
    const std::uint64_t* panel = a.panels + static_cast<std::size_t>(p) * a.words * 2 * kPanelRows;
    const int mEnd = tileMin(a.M, (mb + 1) * kMBlock);
    for (int sub = 0; sub < kPanelRows; sub += NR) {
      const int n0 = p * kPanelRows + sub;
      if (n0 >= a.N) break;
      const int nValid = tileMin(NR, a.N - n0);
      const bool direct = nValid == NR && a.colAdd == nullptr;
      for (int m0 = mb * kMBlock; m0 < mEnd; m0 += MR) {
        if (a.M - m0 >= MR) {
          if (direct) {
            ternaryTileAt<V, MR, NV>(a, m0, panel + sub, a.C + static_cast<std::size_t>(m0) * a.ldc + n0, a.ldc);
            continue;
          }
          std::int32_t buf[MR][NR] = {};
          ternaryTileAt<V, MR, NV>(a, m0, panel + sub, &buf[0][0], NR);
          for (int i = 0; i < MR; ++i) storeTernaryRow(a, m0 + i, n0, nValid, buf[i]);
        } else {
          // Row remainder (e.g. M = 1 for FC): one-row tiles, same ALU work per MAC.
          for (int m = m0; m < a.M; ++m) {
            std::int32_t buf[NR] = {};
            ternaryTileAt<V, 1, NV>(a, m, panel + sub, buf, NR);
            storeTernaryRow(a, m, n0, nValid, buf);
          }
        }
      }
    }
  }
}

// Words [w0, w1) of one tile of the conventional 2-bit product (4 AND + 4 popcounts per word,
// the FATNN baseline): sum u_x u_w = 4 popc(h&h) + 2 [popc(h&l) + popc(l&h)] + popc(l&l).
template <class V, int MR, int NV>
__attribute__((noinline)) void twoBitChunk(const std::uint64_t* xh, const std::uint64_t* xl, std::size_t xStride,
                                           const std::uint64_t* wp, int w0, int w1, std::int32_t* out,
                                           std::size_t ldo, bool acc) {
  constexpr int L = V::kLanes;
  typename V::Cnt a[MR][NV], b[MR][NV], c[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 16
    for (int j = 0; j < NV; ++j) a[i][j] = b[i][j] = c[i][j] = V::zero();
  for (int w = w0; w < w1; ++w) {
    const std::uint64_t* pw = wp + static_cast<std::size_t>(w) * (2 * kPanelRows);
    typename V::Reg wh[NV], wl[NV];
#pragma GCC unroll 16
    for (int j = 0; j < NV; ++j) {
      wh[j] = V::load(pw + j * L);
      wl[j] = V::load(pw + kPanelRows + j * L);
    }
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const typename V::Reg bh = V::bcast(xh[i * xStride + w]);
      const typename V::Reg bl = V::bcast(xl[i * xStride + w]);
#pragma GCC unroll 16
      for (int j = 0; j < NV; ++j) {
        a[i][j] = V::addPop(a[i][j], V::and_(bh, wh[j]));
        b[i][j] = V::addPop(b[i][j], V::and_(bh, wl[j]));
        b[i][j] = V::addPop(b[i][j], V::and_(bl, wh[j]));
        c[i][j] = V::addPop(c[i][j], V::and_(bl, wl[j]));
      }
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 16
    for (int j = 0; j < NV; ++j) V::template store3<4, 2, 1>(out + i * ldo + j * L, acc, a[i][j], b[i][j], c[i][j]);
}

// A whole 2-bit tile; the middle counter takes two pops per word, so chunks are half as long.
template <class V, int MR, int NV>
void twoBitTile(const std::uint64_t* xh, const std::uint64_t* xl, std::size_t xStride, const std::uint64_t* wp,
                int words, std::int32_t* out, std::size_t ldo) {
  constexpr int kChunk = V::kByteBudget / 2;
  if (words == 0) {
    for (int i = 0; i < MR; ++i)
      for (int l = 0; l < NV * V::kLanes; ++l) out[i * ldo + l] = 0;
    return;
  }
  for (int w0 = 0; w0 < words; w0 += kChunk)
    twoBitChunk<V, MR, NV>(xh, xl, xStride, wp, w0, tileMin(words, w0 + kChunk), out, ldo, w0 > 0);
}

// Removes the +1 offsets from a row segment: x.w = sum u_x u_w - sum u_x - sum u_w + K.
inline void storeTwoBitRow(const TwoBitGemmArgs& a, int m, int n0, int nValid, const std::int32_t* v) {
  std::int32_t* c = a.C + static_cast<std::size_t>(m) * a.ldc + n0;
  const std::int32_t rowTerm = a.K - a.sumX[m];
  for (int l = 0; l < nValid; ++l) c[l] = v[l] + rowTerm - a.sumW[n0 + l];
}

// Work items of the 2-bit GEMM (same tiling and edge handling as the ternary one).
template <class V, int MR, int NV>
void twoBitItems(const TwoBitGemmArgs& a, std::size_t begin, std::size_t end) {
  constexpr int NR = NV * V::kLanes;
  static_assert(kPanelRows % NR == 0, "a sub-tile must divide the panel");
  static_assert(kRowAlign % MR == 0, "row padding must cover whole row tiles");
  const std::size_t mBlocks = mBlockCount(a.M);
  for (std::size_t item = begin; item < end; ++item) {
    const int p = static_cast<int>(item / mBlocks);
    const int mb = static_cast<int>(item % mBlocks);
    const std::uint64_t* panel = a.panels + static_cast<std::size_t>(p) * a.words * 2 * kPanelRows;
    const int mEnd = tileMin(a.M, (mb + 1) * kMBlock);
    for (int sub = 0; sub < kPanelRows; sub += NR) {
      const int n0 = p * kPanelRows + sub;
      if (n0 >= a.N) break;
      const int nValid = tileMin(NR, a.N - n0);
      for (int m0 = mb * kMBlock; m0 < mEnd; m0 += MR) {
        if (a.M - m0 >= MR) {
          std::int32_t buf[MR][NR] = {};
          twoBitTile<V, MR, NV>(a.xh + m0 * a.xStride, a.xl + m0 * a.xStride, a.xStride, panel + sub, a.words,
                                &buf[0][0], NR);
          for (int i = 0; i < MR; ++i) storeTwoBitRow(a, m0 + i, n0, nValid, buf[i]);
        } else {
          for (int m = m0; m < a.M; ++m) {  // row remainder: one-row tiles
            std::int32_t buf[NR] = {};
            twoBitTile<V, 1, NV>(a.xh + m * a.xStride, a.xl + m * a.xStride, a.xStride, panel + sub, a.words, buf,
                                 NR);
            storeTwoBitRow(a, m, n0, nValid, buf);
          }
        }
      }
    }
  }
}

// Ternary weights x int8 activations. V8 provides kLanes (int32 lanes, 4 bytes of K each),
// Acc, zero, load (4 bytes x kLanes weights), bcast4 (4 activation bytes), dot (acc += u8.s8),
// store (int32 lanes). One MR x (NV*kLanes) tile over all K groups, out of line like the others.
template <class V8, int MR, int NV>
__attribute__((noinline)) void int8Tile(const std::uint8_t* x0, std::size_t xStride, const std::int8_t* wp,
                                        int groups, std::int32_t* out) {
  constexpr int L = V8::kLanes;
  typename V8::Acc acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 16
    for (int j = 0; j < NV; ++j) acc[i][j] = V8::zero();
  for (int g = 0; g < groups; ++g) {
    const std::int8_t* pw = wp + static_cast<std::size_t>(g) * 4 * kPanelRows;
    typename V8::Reg w[NV];
#pragma GCC unroll 16
    for (int j = 0; j < NV; ++j) w[j] = V8::load(pw + j * L * 4);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const typename V8::Reg bx = V8::bcast4(x0 + i * xStride + 4 * g);
#pragma GCC unroll 16
      for (int j = 0; j < NV; ++j) acc[i][j] = V8::dot(acc[i][j], bx, w[j]);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 16
    for (int j = 0; j < NV; ++j) V8::store(out + i * NV * L + j * L, acc[i][j]);
}

// Work items of the int8 GEMM; removes the +128 bias: x.w = sum (x + 128) w - 128 sum w.
template <class V8, int MR, int NV>
void int8Items(const Int8GemmArgs& a, std::size_t begin, std::size_t end) {
  constexpr int NR = NV * V8::kLanes;
  static_assert(kPanelRows % NR == 0, "a sub-tile must divide the panel");
  static_assert(kRowAlign % MR == 0, "row padding must cover whole row tiles");
  const std::size_t mBlocks = mBlockCount(a.M);
  for (std::size_t item = begin; item < end; ++item) {
    const int p = static_cast<int>(item / mBlocks);
    const int mb = static_cast<int>(item % mBlocks);
    const std::int8_t* panel = a.panels + static_cast<std::size_t>(p) * a.groups * 4 * kPanelRows;
    const int mEnd = tileMin(a.M, (mb + 1) * kMBlock);
    for (int sub = 0; sub < kPanelRows; sub += NR) {
      const int n0 = p * kPanelRows + sub;
      if (n0 >= a.N) break;
      const int nValid = tileMin(NR, a.N - n0);
      for (int m0 = mb * kMBlock; m0 < mEnd; m0 += MR) {
        std::int32_t buf[MR][NR];
        int8Tile<V8, MR, NV>(a.x + static_cast<std::size_t>(m0) * a.xStride, a.xStride, panel + sub * 4, a.groups,
                             &buf[0][0]);
        const int mValid = tileMin(MR, a.M - m0);
        for (int i = 0; i < mValid; ++i) {
          std::int32_t* c = a.C + static_cast<std::size_t>(m0 + i) * a.ldc + n0;
          for (int l = 0; l < nValid; ++l) c[l] = buf[i][l] - 128 * a.sumW[n0 + l];
        }
      }
    }
  }
}

}  // namespace
}  // namespace ternlab::kernels::detail
