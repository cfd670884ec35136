// GEMM kernels on every ISA path the CPU has, bit-exact against an independent naive product.
#include <gtest/gtest.h>

#include "KernelTestSupport.h"
#include "kernels/Int8Gemm.h"
#include "kernels/ReferenceGemm.h"
#include "kernels/TernaryGemm.h"
#include "kernels/TwoBitGemm.h"

namespace ternlab::kernels {
namespace {

using test::GemmShape;
using test::naiveProduct;
using test::randomCodes;

std::string label(Isa isa, const GemmShape& s) {
  return std::string(isaName(isa)) + " M=" + std::to_string(s.M) + " N=" + std::to_string(s.N) +
         " K=" + std::to_string(s.K);
}

TEST(ReferenceGemm, MatchesNaive) {
  const auto x = randomCodes(5 * 7, -3, 3, 1), w = randomCodes(4 * 7, -3, 3, 2);
  std::vector<std::int32_t> c(5 * 4);
  referenceGemm(x.data(), w.data(), 5, 4, 7, c.data());
  EXPECT_EQ(c, naiveProduct(x, w, 5, 4, 7));
}

// One GEMM kernel under test: the code ranges of its operands, its seed, and how to pack and run it.
struct GemmKind {
  const char* name;
  int xLo, xHi, wLo, wHi;
  std::uint32_t seed;
  void (*run)(const std::vector<std::int8_t>& x, const std::vector<std::int8_t>& w, const GemmShape& s, Isa isa,
              std::int32_t* c);
};

const GemmKind kGemmKinds[] = {
    {"ternary", -1, 1, -1, 1, 100,
     [](const auto& x, const auto& w, const GemmShape& s, Isa isa, std::int32_t* c) {
       ternaryGemm(packTernaryRows(x.data(), s.M, s.K), packTernaryPanels(w.data(), s.N, s.K), c,
                   GemmOptions().isa(isa));
     }},
    {"half_range", 0, 2, -1, 1, 200,
     [](const auto& x, const auto& w, const GemmShape& s, Isa isa, std::int32_t* c) {
       const std::vector<std::uint8_t> xu(x.begin(), x.end());
       halfRangeGemm(packHalfRangeRows(xu.data(), s.M, s.K), packTernaryPanels(w.data(), s.N, s.K), c,
                     GemmOptions().isa(isa));
     }},
    {"two_bit", -1, 2, -1, 2, 300,
     [](const auto& x, const auto& w, const GemmShape& s, Isa isa, std::int32_t* c) {
       twoBitGemm(packTwoBitRows(x.data(), s.M, s.K), packTwoBitPanels(w.data(), s.N, s.K), c, GemmOptions().isa(isa));
     }},
    {"int8", -128, 127, -1, 1, 400,
     [](const auto& x, const auto& w, const GemmShape& s, Isa isa, std::int32_t* c) {
       int8Gemm(packInt8Rows(x.data(), s.M, s.K), packInt8Panels(w.data(), s.N, s.K), c, GemmOptions().isa(isa));
     }},
};

class GemmKernel : public ::testing::TestWithParam<GemmKind> {};

// Every kernel, on every shape of the suite and every ISA path the CPU has, equals the naive product.
TEST_P(GemmKernel, AllIsasBitExact) {
  const GemmKind& k = GetParam();
  std::uint32_t seed = k.seed;
  for (const GemmShape& s : test::gemmShapes()) {
    const auto xc = randomCodes(static_cast<std::size_t>(s.M) * s.K, k.xLo, k.xHi, ++seed);
    const auto wc = randomCodes(static_cast<std::size_t>(s.N) * s.K, k.wLo, k.wHi, ++seed);
    const auto expect = naiveProduct(xc, wc, s.M, s.N, s.K);
    for (Isa isa : test::isasUnderTest()) {
      std::vector<std::int32_t> c(expect.size(), -777);
      k.run(xc, wc, s, isa, c.data());
      ASSERT_EQ(c, expect) << k.name << " " << label(isa, s);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryKernel, GemmKernel, ::testing::ValuesIn(kGemmKinds),
                         [](const ::testing::TestParamInfo<GemmKind>& info) { return std::string(info.param.name); });

TEST(TernaryGemm, ExtremeAllOnesAndAllNegatives) {
  // Saturated inputs: every product +1 (or -1), so C = +-K exactly.
  const int M = 5, N = 19, K = 4608;
  std::vector<std::int8_t> ones(static_cast<std::size_t>(M) * K, 1), neg(static_cast<std::size_t>(N) * K, -1);
  const TernaryRows x = packTernaryRows(ones.data(), M, K);
  const TernaryPanels w = packTernaryPanels(neg.data(), N, K);
  for (Isa isa : test::isasUnderTest()) {
    std::vector<std::int32_t> c(static_cast<std::size_t>(M) * N, 0);
    ternaryGemm(x, w, c.data(), GemmOptions().isa(isa));
    for (auto v : c) ASSERT_EQ(v, -K) << isaName(isa);
  }
}

TEST(TwoBitGemm, AllThreesSaturateByteCounters) {
  // u = 3 everywhere: every popcount is maximal, exercising the AVX2 per-byte flush budget.
  const int M = 3, N = 9, K = 64 * 40 + 5;
  std::vector<std::int8_t> x(static_cast<std::size_t>(M) * K, 2), w(static_cast<std::size_t>(N) * K, 2);
  const auto expect = naiveProduct(x, w, M, N, K);
  const TwoBitRows px = packTwoBitRows(x.data(), M, K);
  const TwoBitPanels pw = packTwoBitPanels(w.data(), N, K);
  for (Isa isa : test::isasUnderTest()) {
    std::vector<std::int32_t> c(expect.size(), 0);
    twoBitGemm(px, pw, c.data(), GemmOptions().isa(isa));
    ASSERT_EQ(c, expect) << isaName(isa);
  }
}

TEST(Threads, MultiThreadEqualsSingleThread) {
  const int M = 301, N = 77, K = 999;
  const auto xc = randomCodes(static_cast<std::size_t>(M) * K, -1, 1, 7);
  const auto wc = randomCodes(static_cast<std::size_t>(N) * K, -1, 1, 8);
  const TernaryRows x = packTernaryRows(xc.data(), M, K);
  const TernaryPanels w = packTernaryPanels(wc.data(), N, K);
  const auto tb = packTwoBitRows(xc.data(), M, K);
  const auto twb = packTwoBitPanels(wc.data(), N, K);
  for (Isa isa : test::isasUnderTest()) {
    if (isa == Isa::Reference) continue;
    std::vector<std::int32_t> one(static_cast<std::size_t>(M) * N), many(one.size(), -1);
    ternaryGemm(x, w, one.data(), GemmOptions().isa(isa).threads(1));
    for (int t : {2, 3, 7}) {
      ternaryGemm(x, w, many.data(), GemmOptions().isa(isa).threads(t));
      ASSERT_EQ(many, one) << isaName(isa) << " threads=" << t;
      twoBitGemm(tb, twb, many.data(), GemmOptions().isa(isa).threads(t));
      ASSERT_EQ(many, one) << "twobit " << isaName(isa) << " threads=" << t;
    }
  }
}

TEST(TernaryGemm, RejectsMismatchedK) {
  const auto a = randomCodes(10, -1, 1, 1);
  const TernaryRows x = packTernaryRows(a.data(), 1, 10);
  const TernaryPanels w = packTernaryPanels(a.data(), 2, 5);
  std::vector<std::int32_t> c(2);
  EXPECT_THROW(ternaryGemm(x, w, c.data()), std::invalid_argument);
}

}  // namespace
}  // namespace ternlab::kernels
