// AVX-512 path (compiled with -mavx512f/bw/vl/vpopcntdq/vnni, selected at run time only when
// the CPU reports avx512f + avx512vpopcntdq). Inner loop per 512 MACs: vpandq, vpternlogq,
// 2x vpopcntq, 2x vpaddq -> 512/3 ~ 171 MAC/cycle on two 512-bit ports (docs/ARCHITECTURE.md).
#include <immintrin.h>

#include <cstring>

#include "kernels/detail/DirectConvKernels.h"
#include "kernels/detail/EpilogueKernels.h"
#include "kernels/detail/TileKernels.h"

namespace ternlab::kernels::detail {
namespace {

// Eight uint64 lanes per zmm with native 64-bit popcount counters (never need a flush).
struct VecAvx512 {
  static constexpr int kLanes = 8;
  static constexpr int kByteBudget = 1 << 30;
  using Reg = __m512i;
  using Cnt = __m512i;
  static Reg load(const std::uint64_t* p) { return _mm512_loadu_si512(p); }
  static Reg bcast(std::uint64_t x) { return _mm512_set1_epi64(static_cast<long long>(x)); }
  static Reg and_(Reg a, Reg b) { return _mm512_and_si512(a, b); }
  // t & (a ^ b) in one vpternlogq: truth table 0xF0 & (0xCC ^ 0xAA) = 0x60.
  static Reg andXor(Reg t, Reg a, Reg b) { return _mm512_ternarylogic_epi64(t, a, b, 0x60); }
  static Cnt zero() { return _mm512_setzero_si512(); }
  static Cnt addPop(Cnt c, Reg x) { return _mm512_add_epi64(c, _mm512_popcnt_epi64(x)); }
  // Counters narrowed to int32 (vpmovqd) and scaled by a compile-time coefficient.
  template <int C>
  static __m256i scaled(Cnt c) {
    // maskz form with a full mask: same vpmovqd, avoids GCC 12's bogus -Wuninitialized on
    // _mm512_cvtepi64_epi32 (its pass-through operand is _mm256_undefined_si256()).
    const __m256i x = _mm512_maskz_cvtepi64_epi32(0xFF, c);
    if constexpr (C == 1) return x;
    else if constexpr (C == -2) return _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(x, 1));
    else if constexpr (C == 2) return _mm256_slli_epi32(x, 1);
    else if constexpr (C == 4) return _mm256_slli_epi32(x, 2);
    else return _mm256_mullo_epi32(x, _mm256_set1_epi32(C));
  }
  static void put(std::int32_t* dst, bool acc, __m256i v) {
    __m256i* p = reinterpret_cast<__m256i*>(dst);
    if (acc) v = _mm256_add_epi32(v, _mm256_loadu_si256(p));
    _mm256_storeu_si256(p, v);
  }
  template <int CA, int CB>
  static void store2(std::int32_t* dst, bool acc, Cnt a, Cnt b) {
    if constexpr (CA == 1 && CB == -2)  // the ternary product a − 2b: combined in 64-bit lanes, narrowed once
      put(dst, acc, _mm512_maskz_cvtepi64_epi32(0xFF, _mm512_sub_epi64(a, _mm512_add_epi64(b, b))));
    else
      put(dst, acc, _mm256_add_epi32(scaled<CA>(a), scaled<CB>(b)));
  }
  template <int CA, int CB, int CC>
  static void store3(std::int32_t* dst, bool acc, Cnt a, Cnt b, Cnt c) {
    put(dst, acc, _mm256_add_epi32(_mm256_add_epi32(scaled<CA>(a), scaled<CB>(b)), scaled<CC>(c)));
  }
};

// Sixteen int32 lanes; one vpdpbusd does 64 u8 x s8 MACs.
struct Vec8Vnni {
  static constexpr int kLanes = 16;
  using Reg = __m512i;
  using Acc = __m512i;
  static Acc zero() { return _mm512_setzero_si512(); }
  static Reg load(const std::int8_t* p) { return _mm512_loadu_si512(p); }
  static Reg bcast4(const std::uint8_t* p) {
    std::int32_t v;
    std::memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
  }
  static Acc dot(Acc acc, Reg x, Reg w) { return _mm512_dpbusd_epi32(acc, x, w); }
  static void store(std::int32_t* dst, Acc a) { _mm512_storeu_si512(dst, a); }
};

// Sixteen floats per zmm for the epilogue; compares give a 16-bit mask, which is the code bits.
struct F32Avx512 {
  static constexpr int kLanes = 16;
  using Vec = __m512;
  using Mask = __mmask16;
  // maskz form with a full mask: the same vcvtdq2ps without GCC 12's bogus -Wmaybe-uninitialized.
  static Vec loadI(const std::int32_t* p) { return _mm512_maskz_cvtepi32_ps(0xFFFF, _mm512_loadu_si512(p)); }
  static Vec loadIAdd(const std::int32_t* p, const std::int32_t* q) {
    return _mm512_maskz_cvtepi32_ps(0xFFFF, _mm512_add_epi32(_mm512_loadu_si512(p), _mm512_loadu_si512(q)));
  }
  static Vec loadF(const float* p) { return _mm512_loadu_ps(p); }
  static Vec loadPart(const float* p, int lo, int hi) {  // vexpandps: no scalar stores, no forwarding stall
    const auto m = static_cast<__mmask16>(((1u << hi) - 1u) & ~((1u << lo) - 1u));
    return _mm512_maskz_expandloadu_ps(m, p);
  }
  static Vec set1(float v) { return _mm512_set1_ps(v); }
  static Vec add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
  static Vec sub(Vec a, Vec b) { return _mm512_sub_ps(a, b); }
  static Vec mul(Vec a, Vec b) { return _mm512_mul_ps(a, b); }
  static Mask ltMask(Vec a, Vec b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static Mask gtMask(Vec a, Vec b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static Vec select(Mask m, Vec a, Vec b) { return _mm512_mask_blend_ps(m, b, a); }
  static void storeF(float* p, Vec v) { _mm512_storeu_ps(p, v); }
  static std::uint32_t bits(Mask m) { return static_cast<std::uint32_t>(m); }
  using IVec = __m512i;
  static IVec loadInt(const std::int32_t* p) { return _mm512_loadu_si512(p); }
  static IVec addInt(IVec a, IVec b) { return _mm512_add_epi32(a, b); }
  static IVec flipInt(IVec v, IVec m) { return _mm512_sub_epi32(_mm512_xor_si512(v, m), m); }
  static Mask geMask(IVec a, IVec b) { return _mm512_cmpge_epi32_mask(a, b); }
  static Mask leMask(IVec a, IVec b) { return _mm512_cmple_epi32_mask(a, b); }
};

// The last N mod 16 channels of a layer (LeNet's 6, 120 and 84, a classifier's 10): the same arithmetic with
// masked loads and stores, so no lane reads or writes past the layer's channels, and bits only for them.
struct F32Avx512Tail : F32Avx512 {
  __mmask16 k;
  int lanes;
  explicit F32Avx512Tail(int n) : k(static_cast<__mmask16>((1u << n) - 1u)), lanes(n) {}
  Vec loadI(const std::int32_t* p) const { return _mm512_maskz_cvtepi32_ps(0xFFFF, loadInt(p)); }
  Vec loadIAdd(const std::int32_t* p, const std::int32_t* q) const {
    return _mm512_maskz_cvtepi32_ps(0xFFFF, _mm512_add_epi32(loadInt(p), loadInt(q)));
  }
  Vec loadF(const float* p) const { return _mm512_maskz_loadu_ps(k, p); }
  Vec loadPart(const float* p, int lo, int hi) const { return F32Avx512::loadPart(p, lo, hi < lanes ? hi : lanes); }
  void storeF(float* p, Vec v) const { _mm512_mask_storeu_ps(p, k, v); }
  IVec loadInt(const std::int32_t* p) const { return _mm512_maskz_loadu_epi32(k, p); }
  std::uint32_t bits(Mask m) const { return static_cast<std::uint32_t>(m & k); }
};

// Sixteen floats per zmm with vfmadd (one rounding); a short last vector stored under a mask.
struct FmaAvx512 {
  static constexpr int kLanes = 16;
  using Vec = __m512;
  static Vec zero() { return _mm512_setzero_ps(); }
  static Vec bcast(const float* p) { return _mm512_set1_ps(*p); }
  static Vec load(const float* p) { return _mm512_loadu_ps(p); }
  static Vec fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
  static void store(float* p, Vec v, int valid) {
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << valid) - 1u), v);
  }
};

}  // namespace

void directConvAvx512(const DirectConvArgs& a) { directConvImage<FmaAvx512>(a); }

void ternaryItemsAvx512(const TernaryGemmArgs& a, std::size_t begin, std::size_t end) {
  ternaryItems<VecAvx512, 4, 2>(a, begin, end);
}
void twoBitItemsAvx512(const TwoBitGemmArgs& a, std::size_t begin, std::size_t end) {
  twoBitItems<VecAvx512, 2, 2>(a, begin, end);
}
void int8ItemsAvx512Vnni(const Int8GemmArgs& a, std::size_t begin, std::size_t end) {
  int8Items<Vec8Vnni, 8, 1>(a, begin, end);
}

void epilogueI32Avx512(const EpilogueArgs& a, const std::int32_t* acc, std::size_t ld, int r0, int r1) {
  epilogueRows<F32Avx512, F32Avx512Tail>(a, acc, ld, r0, r1);
}
void epilogueF32Avx512(const EpilogueArgs& a, const float* acc, std::size_t ld, int r0, int r1) {
  epilogueRows<F32Avx512, F32Avx512Tail>(a, acc, ld, r0, r1);
}

}  // namespace ternlab::kernels::detail
