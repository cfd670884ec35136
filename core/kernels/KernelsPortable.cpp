// Portable path: the same register tiles as the AVX-512 path, over an 8-lane uint64 emulation
// with a branch-free SWAR popcount (no -mpopcnt). Compiled with no ISA flags.
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/detail/DirectConvKernels.h"
#include "kernels/detail/EpilogueKernels.h"
#include "kernels/detail/TileKernels.h"

namespace ternlab::kernels::detail {
namespace {

// SWAR popcount (Hacker's Delight 5-1): portable, no popcnt instruction needed.
inline std::uint64_t swarPopcount(std::uint64_t v) {
  v = v - ((v >> 1) & 0x5555555555555555ULL);
  v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
  v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return (v * 0x0101010101010101ULL) >> 56;
}

// Eight uint64 lanes in plain C++: mirrors one zmm so the tiling logic of the AVX-512 path
// runs (and is tested) on every CPU.
struct VecPortable {
  static constexpr int kLanes = 8;
  static constexpr int kByteBudget = 1 << 30;
  struct Reg {
    std::uint64_t v[8];
  };
  using Cnt = Reg;
  static Reg load(const std::uint64_t* p) {
    Reg r;
    for (int l = 0; l < 8; ++l) r.v[l] = p[l];
    return r;
  }
  static Reg bcast(std::uint64_t x) {
    Reg r;
    for (int l = 0; l < 8; ++l) r.v[l] = x;
    return r;
  }
  static Reg and_(const Reg& a, const Reg& b) {
    Reg r;
    for (int l = 0; l < 8; ++l) r.v[l] = a.v[l] & b.v[l];
    return r;
  }
  static Reg andXor(const Reg& t, const Reg& a, const Reg& b) {
    Reg r;
    for (int l = 0; l < 8; ++l) r.v[l] = t.v[l] & (a.v[l] ^ b.v[l]);
    return r;
  }
  static Cnt zero() { return bcast(0); }
  static Cnt addPop(const Cnt& c, const Reg& x) {
    Cnt r;
    for (int l = 0; l < 8; ++l) r.v[l] = c.v[l] + swarPopcount(x.v[l]);
    return r;
  }
  template <int CA, int CB>
  static void store2(std::int32_t* dst, bool acc, const Cnt& a, const Cnt& b) {
    for (int l = 0; l < 8; ++l) {
      const std::int32_t v = CA * static_cast<std::int32_t>(a.v[l]) + CB * static_cast<std::int32_t>(b.v[l]);
      dst[l] = acc ? dst[l] + v : v;
    }
  }
  template <int CA, int CB, int CC>
  static void store3(std::int32_t* dst, bool acc, const Cnt& a, const Cnt& b, const Cnt& c) {
    for (int l = 0; l < 8; ++l) {
      const std::int32_t v = CA * static_cast<std::int32_t>(a.v[l]) + CB * static_cast<std::int32_t>(b.v[l]) +
                             CC * static_cast<std::int32_t>(c.v[l]);
      dst[l] = acc ? dst[l] + v : v;
    }
  }
};

// Sixteen int32 lanes of u8 x s8 dot products of 4 bytes: mirrors vpdpbusd.
struct Vec8Portable {
  static constexpr int kLanes = 16;
  struct Reg {
    std::uint8_t b[64];
  };
  struct Acc {
    std::int32_t v[16];
  };
  static Acc zero() {
    Acc a;
    for (int l = 0; l < 16; ++l) a.v[l] = 0;
    return a;
  }
  static Reg load(const std::int8_t* p) {
    Reg r;
    std::memcpy(r.b, p, 64);
    return r;
  }
  static Reg bcast4(const std::uint8_t* p) {
    Reg r;
    for (int l = 0; l < 16; ++l) std::memcpy(r.b + 4 * l, p, 4);
    return r;
  }
  static Acc dot(const Acc& acc, const Reg& x, const Reg& w) {
    Acc r;
    for (int l = 0; l < 16; ++l) {
      std::int32_t s = acc.v[l];
      for (int q = 0; q < 4; ++q)
        s += static_cast<std::int32_t>(x.b[4 * l + q]) * static_cast<std::int8_t>(w.b[4 * l + q]);
      r.v[l] = s;
    }
    return r;
  }
  static void store(std::int32_t* dst, const Acc& a) {
    for (int l = 0; l < 16; ++l) dst[l] = a.v[l];
  }
};

}  // namespace

void ternaryItemsPortable(const TernaryGemmArgs& a, std::size_t begin, std::size_t end) {
  ternaryItems<VecPortable, 4, 2>(a, begin, end);
}
void twoBitItemsPortable(const TwoBitGemmArgs& a, std::size_t begin, std::size_t end) {
  twoBitItems<VecPortable, 2, 2>(a, begin, end);
}
void int8ItemsPortable(const Int8GemmArgs& a, std::size_t begin, std::size_t end) {
  int8Items<Vec8Portable, 8, 1>(a, begin, end);
}

// One float per vector; std::fma rounds once like the vector FMAs (a library call where the CPU has none).
namespace {
struct FmaScalar {
  static constexpr int kLanes = 1;
  using Vec = float;
  static Vec zero() { return 0.0f; }
  static Vec bcast(const float* p) { return *p; }
  static Vec load(const float* p) { return *p; }
  static Vec fma(Vec a, Vec b, Vec c) { return std::fma(a, b, c); }
  static void store(float* p, Vec v, int) { *p = v; }
};
}  // namespace

void directConvPortable(const DirectConvArgs& a) { directConvImage<FmaScalar>(a); }

int epilogueCodePortable(const EpilogueArgs& args, int n, std::int32_t acc) {
  EpilogueArgs a = args;
  a.colAdd = nullptr;  // acc already holds the sum
  a.perImage = nullptr;
  a.posFrom = nullptr;
  a.outF = nullptr;
  a.N = n + 1;  // only channel n is read (row layout n)
  RowPlace place{1.0f, 0, 0};
  std::vector<std::int32_t> row(static_cast<std::size_t>(n) + 1, 0);
  row[n] = acc;
  std::uint64_t mw[kEpilogueMaxWords] = {}, sw[kEpilogueMaxWords] = {};
  const int words = (n + 64) / 64;
  epilogueChunk<FScalar>(a, row.data(), row.size(), 0, 1, &place, n,
                         CodeSink<FScalar, false>{a.bitsM, a.bitsS, &place, mw, sw, words, n});
  const bool m = (mw[n >> 6] >> (n & 63)) & 1, s = (sw[n >> 6] >> (n & 63)) & 1;
  return m ? (s ? -1 : 1) : 0;
}

void epilogueI32Portable(const EpilogueArgs& a, const std::int32_t* acc, std::size_t ld, int r0, int r1) {
  epilogueRows<FScalar>(a, acc, ld, r0, r1);
}
void epilogueF32Portable(const EpilogueArgs& a, const float* acc, std::size_t ld, int r0, int r1) {
  epilogueRows<FScalar>(a, acc, ld, r0, r1);
}

}  // namespace ternlab::kernels::detail
