// AVX2 path (compiled with -mavx2 -mpopcnt -mfma, selected at run time). AVX2 has no vector
// popcount: bytes are counted with the vpshufb nibble table and summed with vpsadbw on flush.
#include <immintrin.h>

#include <cstring>

#include "kernels/detail/DirectConvKernels.h"
#include "kernels/detail/EpilogueKernels.h"
#include "kernels/detail/TileKernels.h"

namespace ternlab::kernels::detail {
namespace {

// Four uint64 lanes per ymm; counters are per-byte (<= 31 pops of <= 8 before a flush).
struct VecAvx2 {
  static constexpr int kLanes = 4;
  static constexpr int kByteBudget = 31;
  using Reg = __m256i;
  using Cnt = __m256i;
  static Reg load(const std::uint64_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static Reg bcast(std::uint64_t x) { return _mm256_set1_epi64x(static_cast<long long>(x)); }
  static Reg and_(Reg a, Reg b) { return _mm256_and_si256(a, b); }
  static Reg andXor(Reg t, Reg a, Reg b) { return _mm256_and_si256(t, _mm256_xor_si256(a, b)); }
  static Cnt zero() { return _mm256_setzero_si256(); }
  static Cnt addPop(Cnt c, Reg x) {
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                         0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0F);
    const __m256i lo = _mm256_and_si256(x, low);
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), low);
    c = _mm256_add_epi8(c, _mm256_shuffle_epi8(lut, lo));
    return _mm256_add_epi8(c, _mm256_shuffle_epi8(lut, hi));
  }
  // Byte counters summed per 64-bit lane (vpsadbw), narrowed to int32, scaled by a constant.
  template <int C>
  static __m128i scaled(Cnt c) {
    const __m256i q = _mm256_sad_epu8(c, _mm256_setzero_si256());
    const __m128i x = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(q, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6)));
    if constexpr (C == 1) return x;
    else if constexpr (C == -2) return _mm_sub_epi32(_mm_setzero_si128(), _mm_slli_epi32(x, 1));
    else if constexpr (C == 2) return _mm_slli_epi32(x, 1);
    else if constexpr (C == 4) return _mm_slli_epi32(x, 2);
    else return _mm_mullo_epi32(x, _mm_set1_epi32(C));
  }
  static void put(std::int32_t* dst, bool acc, __m128i v) {
    __m128i* p = reinterpret_cast<__m128i*>(dst);
    if (acc) v = _mm_add_epi32(v, _mm_loadu_si128(p));
    _mm_storeu_si128(p, v);
  }
  template <int CA, int CB>
  static void store2(std::int32_t* dst, bool acc, Cnt a, Cnt b) {
    put(dst, acc, _mm_add_epi32(scaled<CA>(a), scaled<CB>(b)));
  }
  template <int CA, int CB, int CC>
  static void store3(std::int32_t* dst, bool acc, Cnt a, Cnt b, Cnt c) {
    put(dst, acc, _mm_add_epi32(_mm_add_epi32(scaled<CA>(a), scaled<CB>(b)), scaled<CC>(c)));
  }
};

// Eight int32 lanes; u8 x s8 via vpmaddubsw (no saturation: |w| <= 1) then vpmaddwd by ones.
struct Vec8Avx2 {
  static constexpr int kLanes = 8;
  using Reg = __m256i;
  using Acc = __m256i;
  static Acc zero() { return _mm256_setzero_si256(); }
  static Reg load(const std::int8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static Reg bcast4(const std::uint8_t* p) {
    std::int32_t v;
    std::memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
  }
  static Acc dot(Acc acc, Reg x, Reg w) {
    const __m256i pairs = _mm256_maddubs_epi16(x, w);
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
  }
  static void store(std::int32_t* dst, Acc a) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), a); }
};

// Eight floats per ymm for the epilogue; a compare is turned into code bits by vmovmskps.
struct F32Avx2 {
  static constexpr int kLanes = 8;
  using Vec = __m256;
  using Mask = __m256;
  static Vec loadI(const std::int32_t* p) {
    return _mm256_cvtepi32_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static Vec loadIAdd(const std::int32_t* p, const std::int32_t* q) {
    return _mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)),
                                               _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q))));
  }
  static Vec loadF(const float* p) { return _mm256_loadu_ps(p); }
  static Vec loadPart(const float* p, int lo, int hi) { return loadPartViaArray<Vec, kLanes, &loadF>(p, lo, hi); }
  static Vec set1(float v) { return _mm256_set1_ps(v); }
  static Vec add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
  static Vec sub(Vec a, Vec b) { return _mm256_sub_ps(a, b); }
  static Vec mul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
  static Mask ltMask(Vec a, Vec b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static Mask gtMask(Vec a, Vec b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static Vec select(Mask m, Vec a, Vec b) { return _mm256_blendv_ps(b, a, m); }
  static void storeF(float* p, Vec v) { _mm256_storeu_ps(p, v); }
  static std::uint32_t bits(Mask m) { return static_cast<std::uint32_t>(_mm256_movemask_ps(m)); }
  using IVec = __m256i;
  static IVec loadInt(const std::int32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static IVec addInt(IVec a, IVec b) { return _mm256_add_epi32(a, b); }
  static IVec flipInt(IVec v, IVec m) { return _mm256_sub_epi32(_mm256_xor_si256(v, m), m); }
  static Mask geMask(IVec a, IVec b) {  // not (b > a)
    return _mm256_castsi256_ps(_mm256_xor_si256(_mm256_cmpgt_epi32(b, a), _mm256_set1_epi32(-1)));
  }
  static Mask leMask(IVec a, IVec b) { return geMask(b, a); }
};

// The last N mod 8 channels of a layer: F32Avx2 with vmaskmov loads and stores, bits only for them.
struct F32Avx2Tail : F32Avx2 {
  __m256i k;
  int lanes;
  explicit F32Avx2Tail(int n)
      : k(_mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))), lanes(n) {}
  Vec loadI(const std::int32_t* p) const { return _mm256_cvtepi32_ps(loadInt(p)); }
  Vec loadIAdd(const std::int32_t* p, const std::int32_t* q) const {
    return _mm256_cvtepi32_ps(_mm256_add_epi32(loadInt(p), loadInt(q)));
  }
  Vec loadF(const float* p) const { return _mm256_maskload_ps(p, k); }
  Vec loadPart(const float* p, int lo, int hi) const { return F32Avx2::loadPart(p, lo, hi < lanes ? hi : lanes); }
  void storeF(float* p, Vec v) const { _mm256_maskstore_ps(p, k, v); }
  IVec loadInt(const std::int32_t* p) const { return _mm256_maskload_epi32(p, k); }
  std::uint32_t bits(Mask m) const { return F32Avx2::bits(m) & ((1u << lanes) - 1u); }
};

// Eight floats per ymm with vfmadd (one rounding); a short last vector stored through vmaskmovps.
struct FmaAvx2 {
  static constexpr int kLanes = 8;
  using Vec = __m256;
  static Vec zero() { return _mm256_setzero_ps(); }
  static Vec bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Vec load(const float* p) { return _mm256_loadu_ps(p); }
  static Vec fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
  static void store(float* p, Vec v, int valid) {
    if (valid == kLanes) return _mm256_storeu_ps(p, v);
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    _mm256_maskstore_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), lane), v);
  }
};

}  // namespace

void directConvAvx2(const DirectConvArgs& a) { directConvImage<FmaAvx2>(a); }

void ternaryItemsAvx2(const TernaryGemmArgs& a, std::size_t begin, std::size_t end) {
  ternaryItems<VecAvx2, 4, 2>(a, begin, end);
}
void twoBitItemsAvx2(const TwoBitGemmArgs& a, std::size_t begin, std::size_t end) {
  twoBitItems<VecAvx2, 2, 1>(a, begin, end);
}
void int8ItemsAvx2(const Int8GemmArgs& a, std::size_t begin, std::size_t end) {
  int8Items<Vec8Avx2, 4, 2>(a, begin, end);
}

void epilogueI32Avx2(const EpilogueArgs& a, const std::int32_t* acc, std::size_t ld, int r0, int r1) {
  epilogueRows<F32Avx2, F32Avx2Tail>(a, acc, ld, r0, r1);
}
void epilogueF32Avx2(const EpilogueArgs& a, const float* acc, std::size_t ld, int r0, int r1) {
  epilogueRows<F32Avx2, F32Avx2Tail>(a, acc, ld, r0, r1);
}

}  // namespace ternlab::kernels::detail
