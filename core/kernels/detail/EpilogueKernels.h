#pragma once
// The fused layer epilogue written once over a small float-vector traits type F, instantiated by each
// per-ISA file (portable scalar, AVX2, AVX-512) like TileKernels.h. Include ONLY from those .cpp files,
// which are built with -ffp-contract=off: every multiply and add rounds as the training graph's separate
// tensor operations do, so codes and logits are the same on every path.
//
// F must provide: kLanes, Vec, Mask, loadI (int32 -> Vec), loadIAdd (int32 sum of two -> Vec), loadF,
// loadPart (lanes [lo, hi) from p[0 .. hi − lo), zero elsewhere), set1, add, sub, mul, ltMask, gtMask,
// select (mask ? a : b), storeF, bits (mask -> kLanes low bits), and on int32 lanes IVec, loadInt, addInt,
// flipInt ((v ^ m) − m: v negated where m = −1, kept where m = 0), geMask, leMask (the integer-threshold form).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/detail/EpilogueArgs.h"

namespace ternlab::kernels::detail {
namespace {

// loadPart through a small array, for paths without masked expanding loads (used only by layers whose
// zero-padded residual channels do not fall on a whole vector).
template <class Vec, int L, Vec (*Load)(const float*)>
inline Vec loadPartViaArray(const float* p, int lo, int hi) {
  float t[L];
  for (int l = 0; l < L; ++l) t[l] = l >= lo && l < hi ? p[l - lo] : 0.0f;
  return Load(t);
}

constexpr int kEpilogueMaxWords = 64;  // 4096 channels per output pixel

// One float per "vector": the tail of every path, and the whole portable path.
struct FScalar {
  static constexpr int kLanes = 1;
  using Vec = float;
  using Mask = bool;
  static Vec loadI(const std::int32_t* p) { return static_cast<float>(*p); }
  static Vec loadIAdd(const std::int32_t* p, const std::int32_t* q) { return static_cast<float>(*p + *q); }
  static Vec loadF(const float* p) { return *p; }
  static Vec loadPart(const float* p, int lo, int hi) { return lo < hi ? *p : 0.0f; }
  static Vec set1(float v) { return v; }
  static Vec add(Vec a, Vec b) { return a + b; }
  static Vec sub(Vec a, Vec b) { return a - b; }
  static Vec mul(Vec a, Vec b) { return a * b; }
  static Mask ltMask(Vec a, Vec b) { return a < b; }
  static Mask gtMask(Vec a, Vec b) { return a > b; }
  static Vec select(Mask m, Vec a, Vec b) { return m ? a : b; }
  static void storeF(float* p, Vec v) { *p = v; }
  static std::uint32_t bits(Mask m) { return m ? 1u : 0u; }
  using IVec = std::int32_t;
  static IVec loadInt(const std::int32_t* p) { return *p; }
  static IVec addInt(IVec a, IVec b) { return a + b; }
  static IVec flipInt(IVec v, IVec m) { return static_cast<IVec>((static_cast<std::uint32_t>(v) ^ static_cast<std::uint32_t>(m)) - static_cast<std::uint32_t>(m)); }
  static Mask geMask(IVec a, IVec b) { return a >= b; }
  static Mask leMask(IVec a, IVec b) { return a <= b; }
};

template <class F>
inline typename F::Vec loadAcc(const F& f, const std::int32_t* p, const std::int32_t* add) {
  return add ? f.loadIAdd(p, add) : f.loadI(p);
}
template <class F>
inline typename F::Vec loadAcc(const F& f, const float* p, const std::int32_t*) {
  return f.loadF(p);
}

// One activation with its per-channel operands already loaded for a chunk of channels.
template <class F>
struct ChunkAct {
  int kind = 0;
  typename F::Vec shiftIn{}, slope{}, shiftOut{};
  // fixedKind >= 0: the kind is known at compile time (a specialised chunk), so its branches fold away.
  ChunkAct(const F& f, const EpilogueActArgs& a, int n, int fixedKind = -1) : kind(fixedKind >= 0 ? fixedKind : a.kind) {
    if (kind == 2) shiftIn = f.loadF(a.shiftIn + n), slope = f.loadF(a.slope + n), shiftOut = f.loadF(a.shiftOut + n);
  }
  typename F::Vec operator()(typename F::Vec v) const {
    if (kind == 1) return F::select(F::ltMask(v, F::set1(0.0f)), F::set1(0.0f), v);
    if (kind == 2) {
      const auto u = F::sub(v, shiftIn);
      return F::add(F::select(F::gtMask(u, F::set1(0.0f)), u, F::mul(slope, u)), shiftOut);
    }
    return v;
  }
};

constexpr int kEpilogueRows = 64;  // rows handled per pass (the kernels' block)

// Where one row of the pass reads and writes, computed once for all its channel chunks.
struct RowPlace {
  float f;             // per-image factor
  std::size_t res;     // residual row offset (elements)
  std::size_t bits;    // bit map pixel offset (bytes)
};

// Stores the low 8·B bits of a lane mask: the codes of 8·B channels, byte-aligned in their pixel.
template <int B>
inline void storeCodeBytes(std::uint8_t* p, std::uint32_t bits) {
  static_assert(B == 1 || B == 2, "one or two bytes of codes per vector");
  if constexpr (B == 1) {
    *p = static_cast<std::uint8_t>(bits);
  } else {
    const auto v = static_cast<std::uint16_t>(bits);
    std::memcpy(p, &v, 2);
  }
}

// Where a chunk's code bits go: Direct (kLanes a whole number of bytes, n a multiple of kLanes) stores
// them straight into each row's pixel, whole bytes at byte n / 8; otherwise they are ORed into mw / sw (words per row) and the pass
// stores whole pixels at the end.
template <class F, bool Direct>
struct CodeSink {
  std::uint8_t* m;
  std::uint8_t* s;
  const RowPlace* place;
  std::uint64_t* mw;
  std::uint64_t* sw;
  int words, n;
  void put(int i, std::uint32_t mb, std::uint32_t sb) const {
    if constexpr (Direct) {
      const std::size_t at = place[i].bits + static_cast<std::size_t>(n / 8);
      storeCodeBytes<F::kLanes / 8>(m + at, mb);
      storeCodeBytes<F::kLanes / 8>(s + at, sb);
    } else {
      const int word = n >> 6, shift = n & 63;
      mw[i * words + word] |= static_cast<std::uint64_t>(mb) << shift;
      sw[i * words + word] |= static_cast<std::uint64_t>(sb) << shift;
    }
  }
};

// How channels [n, n + L) meet the residual: 0 none, 1 all of them, 2 some (option A's zero-padded channels).
template <int L>
inline int residualMode(const EpilogueArgs& a, int n) {
  const int c = n - a.resOffset;
  if (!a.res || c + L <= 0 || c >= a.resC) return 0;
  return c >= 0 && c + L <= a.resC ? 1 : 2;
}

// Channels [n, n + F::kLanes) of rows [0, rows) of a pass (fewer where `f` is a masked tail): the per-channel
// operands are loaded once, then each row is one vector of work; its code bits go to `out`.
// A1, A2 (activation kinds) and RM (residual: 0 none, 1 whole vector, 2 straddling the padded channels)
// fix the row loop's shape at compile time for the common layers; −1 reads them from `a`.
template <class F, class AccT, bool Direct, int A1 = -1, int RM = -1, int A2 = -1>
inline void epilogueChunk(const EpilogueArgs& a, const AccT* acc, std::size_t ldAcc, int r0, int rows,
                          const RowPlace* place, int n, const CodeSink<F, Direct>& out, const F& f = F()) {
  constexpr int L = F::kLanes;
  if constexpr (std::is_same_v<AccT, std::int32_t>) {
    if (a.posFrom) {  // integer thresholds: t = dir·(acc + colAdd); +1 if t >= posFrom, −1 if t <= negTo
      std::int32_t flip[L];  // dir as a sign mask: t = ((acc + colAdd) ^ flip) − flip
      for (int l = 0; l < L; ++l) flip[l] = n + l < a.N && a.codeDir[n + l] < 0 ? -1 : 0;
      const auto fl = f.loadInt(flip), pf = f.loadInt(a.posFrom + n), nt = f.loadInt(a.negTo + n);
      const bool add = a.colAdd != nullptr;
      const auto ca = add ? f.loadInt(a.colAdd + n) : fl;
      for (int i = 0; i < rows; ++i) {
        auto v = f.loadInt(acc + static_cast<std::size_t>(i) * ldAcc + n);
        if (add) v = F::addInt(v, ca);
        v = F::flipInt(v, fl);
        const std::uint32_t sb = f.bits(F::leMask(v, nt));
        out.put(i, sb | f.bits(F::geMask(v, pf)), sb);
      }
      return;
    }
  }
  constexpr bool fixed = A1 >= 0;  // specialised: one plane, a scale and no per-image factor (see shapedChunk)
  const bool affine = fixed || a.scale != nullptr, onePlane = fixed || a.planes == 1;
  const auto scale0 = affine ? f.loadF(a.scale + n) : F::set1(1.0f);
  const auto scaleOne = F::mul(scale0, F::set1(1.0f));  // scale · f with f = 1, rounded as in the loop
  const auto bias = affine ? f.loadF(a.bias + n) : F::set1(0.0f);
  // BatchNorm's eval factor apart from the conv's scale (1 where a file folded them, or for no BatchNorm)
  const auto bnScale = affine && a.bnScale ? f.loadF(a.bnScale + n) : F::set1(1.0f);
  const bool pre = !fixed && a.preBias != nullptr;
  const auto preBias = pre ? f.loadF(a.preBias + n) : F::set1(0.0f);
  const std::int32_t* colAdd = a.colAdd ? a.colAdd + n : nullptr;
  const ChunkAct<F> act1(f, a.act1, n, A1), act2(f, a.act2, n, A2);
  const int c = n - a.resOffset;
  const int rm = RM >= 0 ? RM : residualMode<L>(a, n);
  const bool resFull = rm == 1, resPart = rm == 2;
  const auto neg = F::set1(a.thrNeg), pos = F::set1(a.thrPos);
  for (int i = 0; i < rows; ++i) {
    const AccT* row = acc + static_cast<std::size_t>(i) * ldAcc;
    typename F::Vec v = loadAcc(f, row + n, colAdd);
    if (fixed) {
      v = F::add(F::mul(F::mul(scaleOne, v), bnScale), bias);
    } else if (affine) {
      const auto fv = F::set1(place[i].f);
      v = F::mul(F::mul(scale0, fv), v);
      if (!onePlane)
        for (int p = 1; p < a.planes; ++p) {
          const int q = p * a.N + n;
          v = F::add(v, F::mul(F::mul(f.loadF(a.scale + q), fv), loadAcc(f, row + q, a.colAdd ? a.colAdd + q : nullptr)));
        }
      if (pre) v = F::add(v, preBias);
      v = F::add(F::mul(v, bnScale), bias);
    }
    v = act1(v);
    if (resFull) {
      v = F::add(v, f.loadF(a.res + place[i].res + c));
    } else if (resPart) {
      const int lo = c < 0 ? -c : 0, hi = c + L > a.resC ? a.resC - c : L;
      v = F::add(v, f.loadPart(a.res + place[i].res + c + lo, lo, hi));
    }
    v = act2(v);
    if (a.outF) f.storeF(a.outF + static_cast<std::size_t>(r0 + i) * a.N + n, v);
    if (a.bitsM) {
      const std::uint32_t sb = f.bits(F::ltMask(v, neg));
      out.put(i, sb | f.bits(F::gtMask(v, pos)), sb);
    }
  }
}

// A chunk of the layers networks are made of — conv → act (a codes-only or float layer) and conv → + residual
// → act (a basic block's second conv) — runs a loop specialised at compile time; anything else the general one.
template <class F, class AccT, bool Direct>
inline void shapedChunk(const EpilogueArgs& a, const AccT* acc, std::size_t ldAcc, int r0, int rows,
                        const RowPlace* place, int n, const CodeSink<F, Direct>& out, const F& f = F()) {
  const int a1 = a.act1.kind, a2 = a.act2.kind, rm = residualMode<F::kLanes>(a, n);
  const bool simple = a.planes == 1 && !a.perImage && a.scale && !a.preBias &&
                      !(std::is_same_v<AccT, std::int32_t> && a.posFrom);
  if (simple && a2 == 0 && rm == 0) {
    if (a1 == 1) return epilogueChunk<F, AccT, Direct, 1, 0, 0>(a, acc, ldAcc, r0, rows, place, n, out, f);
    if (a1 == 2) return epilogueChunk<F, AccT, Direct, 2, 0, 0>(a, acc, ldAcc, r0, rows, place, n, out, f);
  }
  if (simple && a1 == 0 && rm == 1) {
    if (a2 == 1) return epilogueChunk<F, AccT, Direct, 0, 1, 1>(a, acc, ldAcc, r0, rows, place, n, out, f);
    if (a2 == 2) return epilogueChunk<F, AccT, Direct, 0, 1, 2>(a, acc, ldAcc, r0, rows, place, n, out, f);
  }
  epilogueChunk<F>(a, acc, ldAcc, r0, rows, place, n, out, f);
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

// Tail (optional): F with masked loads and stores for the last N mod kLanes channels, built from their
// count (then every layer takes the direct path); without one they run one channel at a time.
template <class F, class Tail = void, class AccT>
void epilogueRows(const EpilogueArgs& a, const AccT* acc, std::size_t ldAcc, int r0, int r1) {
  constexpr int L = F::kLanes;
  const int hw = a.outH * a.outW;
  const int words = (a.N + 63) / 64;
  RowPlace place[kEpilogueRows];
  // Vectors of whole code bytes with a masked tail for the rest (the SIMD paths): every chunk, the tail's
  // too (it starts on a 16-bit group of the pixel and its bits past N are zero), stores its bits itself.
  // Otherwise (the portable path) bits are staged per pass and stored a pixel at a time.
  constexpr bool kDirect = L % 8 == 0 && !std::is_void_v<Tail>;
  std::uint64_t mw[kEpilogueRows * kEpilogueMaxWords], sw[kEpilogueRows * kEpilogueMaxWords];
  // (b, oy, ox) of row r0, then stepped row by row (no divisions per row).
  int b = r0 / hw, oy = (r0 % hw) / a.outW, ox = r0 % a.outW;
  for (int p0 = r0; p0 < r1; p0 += kEpilogueRows) {
    const int rows = p0 + kEpilogueRows < r1 ? kEpilogueRows : r1 - p0;
    for (int i = 0; i < rows; ++i) {
      place[i].f = a.perImage ? a.perImage[b] : 1.0f;
      place[i].res = a.res ? ((static_cast<std::size_t>(b) * a.resH + oy * a.resStride) * a.resW + ox * a.resStride) * a.resC : 0;
      place[i].bits = static_cast<std::size_t>(b) * a.bitsImage + static_cast<std::size_t>(oy + a.bitsPad) * a.bitsRow +
                      static_cast<std::size_t>(ox + a.bitsPad) * a.bitsPix;
      if (++ox == a.outW) {
        ox = 0;
        if (++oy == a.outH) oy = 0, ++b;
      }
    }
    const AccT* blk = acc + static_cast<std::size_t>(p0 - r0) * ldAcc;
    if constexpr (kDirect) {
      int n = 0;
      for (; n + L <= a.N; n += L)
        shapedChunk<F>(a, blk, ldAcc, p0, rows, place, n, CodeSink<F, true>{a.bitsM, a.bitsS, place, mw, sw, words, n});
      if (n < a.N)
        shapedChunk<Tail>(a, blk, ldAcc, p0, rows, place, n,
                          CodeSink<Tail, true>{a.bitsM, a.bitsS, place, mw, sw, words, n}, Tail(a.N - n));
    } else {
      if (a.bitsM)
        for (int i = 0; i < rows * words; ++i) mw[i] = sw[i] = 0;
      int n = 0;
      for (; n + L <= a.N; n += L)
        shapedChunk<F>(a, blk, ldAcc, p0, rows, place, n, CodeSink<F, false>{a.bitsM, a.bitsS, place, mw, sw, words, n});
      for (; n < a.N; ++n)
        epilogueChunk<FScalar>(a, blk, ldAcc, p0, rows, place, n,
                               CodeSink<FScalar, false>{a.bitsM, a.bitsS, place, mw, sw, words, n});
      if (a.bitsM)
        for (int i = 0; i < rows; ++i) {
          if (a.bitsPix == 2) {  // 16 channels: the common narrow layer
            const auto m16 = static_cast<std::uint16_t>(mw[i * words]), s16 = static_cast<std::uint16_t>(sw[i * words]);
            std::memcpy(a.bitsM + place[i].bits, &m16, 2);
            std::memcpy(a.bitsS + place[i].bits, &s16, 2);
          } else {
            storeBits(a.bitsM + place[i].bits, mw + i * words, a.bitsPix);
            storeBits(a.bitsS + place[i].bits, sw + i * words, a.bitsPix);
          }
        }
    }
  }
}

}  // namespace
}  // namespace ternlab::kernels::detail
