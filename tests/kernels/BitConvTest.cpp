// The engine's layer kernel: bordered bit maps, kernel-row gathers, weight planes and the fused epilogue,
// on every ISA path, against a direct convolution on the codes and a scalar epilogue written here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "KernelTestSupport.h"
#include "kernels/BitConv.h"

namespace ternlab::kernels {
namespace {

using test::randomCodes;

// A bordered map holding the given NHWC codes (stored codes, border as `border`).
BitMap mapOf(const std::vector<std::int8_t>& nhwc, int b, int h, int w, int c, int pad, BitBorder border) {
  BitMap m;
  m.reset(b, h, w, c, pad, border);
  for (int n = 0; n < b; ++n)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const std::size_t off = m.offset(n, y, x);
        for (int i = 0; i < m.pixBytes; ++i) m.m[off + i] = m.s[off + i] = 0;
        for (int ch = 0; ch < c; ++ch) {
          const int v = nhwc[((static_cast<std::size_t>(n) * h + y) * w + x) * c + ch];
          if (v) m.m[off + ch / 8] |= static_cast<std::uint8_t>(1u << (ch % 8));
          if (v < 0) m.s[off + ch / 8] |= static_cast<std::uint8_t>(1u << (ch % 8));
        }
      }
  return m;
}

struct ConvCase {
  int batch, h, w, c, outC, k, stride, pad, planes;
};

TEST(BitConv, AccumulatorsEqualTheDirectConvolutionOnEveryPath) {
  const ConvCase cases[] = {{2, 7, 7, 16, 16, 3, 1, 1, 1},  {1, 9, 9, 32, 20, 3, 2, 1, 1},  {1, 5, 5, 64, 64, 3, 1, 1, 2},
                            {3, 6, 6, 5, 3, 3, 1, 1, 3},    {1, 4, 4, 120, 84, 4, 1, 0, 1}, {2, 8, 8, 24, 40, 1, 2, 0, 1},
                            {1, 5, 5, 130, 17, 5, 1, 2, 1}};
  std::uint32_t seed = 1;
  for (const auto& cc : cases)
    for (const BitBorder border : {BitBorder::Zero, BitBorder::MinusOne})
      for (const Isa isa : test::isasUnderTest()) {
        const auto x = randomCodes(static_cast<std::size_t>(cc.batch) * cc.h * cc.w * cc.c, -1, 1, seed++);
        const auto codes = randomCodes(static_cast<std::size_t>(cc.planes) * cc.outC * cc.c * cc.k * cc.k, -1, 1, seed++);
        const BitMap in = mapOf(x, cc.batch, cc.h, cc.w, cc.c, cc.pad, border);
        const bool half = border == BitBorder::MinusOne;
        const auto w = packBitConvWeights(codes.data(), cc.planes, cc.outC, cc.c, cc.k, cc.stride, cc.pad, half);
        const auto ref = referenceBitConv(in, codes.data(), cc.planes * cc.outC, cc.c, cc.k, cc.stride, cc.pad);
        std::vector<std::int32_t> acc(ref.size());
        std::vector<float> scale(static_cast<std::size_t>(cc.planes) * cc.outC, 1.0f), bias(cc.outC, 0.0f);
        const int oh = (cc.h + 2 * cc.pad - cc.k) / cc.stride + 1, ow = (cc.w + 2 * cc.pad - cc.k) / cc.stride + 1;
        std::vector<float> y(static_cast<std::size_t>(cc.batch) * oh * ow * cc.outC);
        LayerEpilogue e;
        e.scale = scale.data(), e.bias = bias.data(), e.planes = cc.planes, e.outFloat = y.data();
        bitConv(in, w, e, acc.data(), GemmOptions().isa(isa).threads(2));
        const std::size_t rowsN = static_cast<std::size_t>(cc.planes) * cc.outC;
        for (std::size_t i = 0; i < ref.size(); ++i) {
          // {0,1,2} inputs stored as y = x - 1: the kernel returns sum x w = sum y w + sum w.
          const std::int32_t want = ref[i] + (half ? w.panels.rowSum[i % rowsN] : 0);
          ASSERT_EQ(acc[i], want) << isaName(isa) << " case c=" << cc.c << " k=" << cc.k << " i=" << i;
        }
        // Planes are summed with unit scales into the float output.
        for (std::size_t r = 0; r < y.size() / cc.outC; ++r)
          for (int n = 0; n < cc.outC; ++n) {
            float v = 0;
            for (int p = 0; p < cc.planes; ++p) v = p == 0 ? static_cast<float>(acc[r * rowsN + n]) : v + static_cast<float>(acc[r * rowsN + p * cc.outC + n]);
            ASSERT_EQ(y[r * cc.outC + n], v + 0.0f) << isaName(isa);
          }
      }
}

// The scalar definition of LayerEpilogue, written out here.
float epilogueValue(float acc, float scale, float bias, int act1, const float* rp, float res, bool hasRes, int act2) {
  auto act = [&](int kind, float v) {
    if (kind == 1) return v < 0 ? 0.0f : v;
    if (kind == 2) {
      const float u = v - rp[0];
      return (u > 0 ? u : rp[1] * u) + rp[2];
    }
    return v;
  };
  float v = scale * 1.0f * acc + bias;
  v = act(act1, v);
  if (hasRes) v = v + res;
  return act(act2, v);
}

// N = 40: whole 8-lane (AVX2) code bytes, AVX-512's 16 lanes leave a masked tail; N = 32: whole vectors on
// both; N = 46: tails on both paths, one of them straddling the residual's last channel; all with option A's
// zero-padded residual channels straddling a vector.
class LayerEpilogueWidth : public ::testing::TestWithParam<int> {};

TEST_P(LayerEpilogueWidth, RpreluResidualAndNextCodesMatchTheScalarDefinitionOnEveryPath) {
  const int B = 2, H = 6, W = 6, N = GetParam(), resOffset = 8, resC = N - 2 * resOffset;  // option A padding
  const int RH = 12, RW = 12, stride = 2;
  std::mt19937 rng(7);
  std::normal_distribution<float> d(0.0f, 3.0f);
  std::vector<std::int32_t> acc(static_cast<std::size_t>(B) * H * W * N);
  for (auto& a : acc) a = static_cast<std::int32_t>(std::lround(d(rng) * 10));
  std::vector<float> scale(N), bias(N), g(N), beta(N), z(N), res(static_cast<std::size_t>(B) * RH * RW * resC);
  for (int n = 0; n < N; ++n) scale[n] = 0.05f + 0.01f * n, bias[n] = d(rng), g[n] = d(rng) * 0.2f, beta[n] = 0.25f, z[n] = d(rng) * 0.1f;
  for (auto& r : res) r = d(rng);
  const QuantThresholds next{-0.7f, 0.9f};
  for (const Isa isa : test::isasUnderTest()) {
    std::vector<float> y(acc.size());
    BitMap bits;
    bits.reset(B, H, W, N, 1, BitBorder::Zero);
    LayerEpilogue e;
    e.scale = scale.data(), e.bias = bias.data();
    e.act1 = {ActKind::Rprelu, g.data(), beta.data(), z.data()};
    e.act2 = {ActKind::Relu};
    e.residual = res.data(), e.resH = RH, e.resW = RW, e.resC = resC, e.resStride = stride, e.resOffset = resOffset;
    e.outFloat = y.data();
    e.outBits = &bits;
    e.next = next;
    intEpilogue(acc.data(), B, H, W, N, e, GemmOptions().isa(isa).threads(2));
    for (int b = 0; b < B; ++b)
      for (int oy = 0; oy < H; ++oy)
        for (int ox = 0; ox < W; ++ox)
          for (int n = 0; n < N; ++n) {
            const std::size_t r = (static_cast<std::size_t>(b) * H + oy) * W + ox;
            const int c = n - resOffset;
            const bool hasRes = c >= 0 && c < resC;
            const float rv = hasRes ? res[((static_cast<std::size_t>(b) * RH + oy * stride) * RW + ox * stride) * resC + c] : 0.0f;
            const float rp[3] = {g[n], beta[n], z[n]};
            const float want = epilogueValue(static_cast<float>(acc[r * N + n]), scale[n], bias[n], 2, rp, rv, hasRes, 1);
            ASSERT_EQ(y[r * N + n], want) << isaName(isa) << " n=" << n;
            const int code = want > next.pos ? 1 : (want < next.neg ? -1 : 0);
            ASSERT_EQ(bits.at(b, n, oy, ox), code) << isaName(isa) << " n=" << n;
          }
  }
}

INSTANTIATE_TEST_SUITE_P(Widths, LayerEpilogueWidth, ::testing::Values(40, 32, 46));

// Codes-only epilogues solved into integer thresholds give the float epilogue's codes for every sum, on every
// path: positive, negative and zero scales, ReLU, RPReLU with slopes >= 0, and none.
TEST(IntegerCodes, EqualTheFloatEpilogueForEverySum) {
  const int K = 300, N = 48, H = 1, W = 2 * K + 1;  // one row per sum in [-K, K]
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> scale(N), bias(N), g(N), beta(N), z(N);
  for (int n = 0; n < N; ++n) {
    scale[n] = n % 7 == 0 ? 0.0f : (n % 3 == 0 ? -1.0f : 1.0f) * 0.01f * (1 + (n % 5));
    bias[n] = d(rng), g[n] = 0.3f * d(rng), beta[n] = n % 2 ? 0.0f : 0.25f, z[n] = 0.1f * d(rng);
  }
  std::vector<std::int32_t> acc(static_cast<std::size_t>(W) * N);
  for (int r = 0; r < W; ++r)
    for (int n = 0; n < N; ++n) acc[static_cast<std::size_t>(r) * N + n] = r - K;
  for (const ActKind act : {ActKind::None, ActKind::Relu, ActKind::Rprelu})
    for (const Isa isa : test::isasUnderTest()) {
      LayerEpilogue e;
      e.scale = scale.data(), e.bias = bias.data();
      e.act1 = {act, g.data(), beta.data(), z.data()};
      e.next = {-0.4f, 0.6f};
      BitMap viaFloat, viaInt;
      viaFloat.reset(1, H, W, N, 1, BitBorder::Zero);
      viaInt.reset(1, H, W, N, 1, BitBorder::Zero);
      e.outBits = &viaFloat;
      intEpilogue(acc.data(), 1, H, W, N, e, GemmOptions().isa(isa));
      IntegerCodes codes;
      ASSERT_TRUE(integerCodesFor(e, N, -K, K, codes));
      e.outBits = &viaInt;
      e.integerCodes = &codes;
      intEpilogue(acc.data(), 1, H, W, N, e, GemmOptions().isa(isa));
      for (int x = 0; x < W; ++x)
        for (int n = 0; n < N; ++n)
          ASSERT_EQ(viaInt.at(0, n, 0, x), viaFloat.at(0, n, 0, x)) << isaName(isa) << " sum " << x - K << " n " << n;
    }
  // A negative RPReLU slope folds the line: not monotone, so no integer form.
  std::vector<float> negSlope(N, -0.5f);
  LayerEpilogue e;
  e.scale = scale.data(), e.bias = bias.data();
  e.act1 = {ActKind::Rprelu, g.data(), negSlope.data(), z.data()};
  IntegerCodes codes;
  EXPECT_FALSE(integerCodesFor(e, N, -K, K, codes));
  // Floats written or a residual added: the float epilogue is needed.
  std::vector<float> out(static_cast<std::size_t>(W) * N);
  e.act1 = {ActKind::Relu};
  e.outFloat = out.data();
  EXPECT_FALSE(integerCodesFor(e, N, -K, K, codes));
}

TEST(BitMap, BorderHoldsZeroOrMinusOne) {
  BitMap m;
  m.reset(1, 2, 2, 16, 1, BitBorder::MinusOne);
  EXPECT_EQ(m.pixBytes, 2);
  EXPECT_EQ(m.rowBytes(), 8u);
  EXPECT_EQ(m.m[0], 0xFF);
  EXPECT_EQ(m.s[1], 0xFF);
  m.reset(1, 2, 2, 16, 1, BitBorder::Zero);
  EXPECT_EQ(m.m[0], 0x00);
  EXPECT_THROW(m.reset(1, 0, 2, 16, 1, BitBorder::Zero), std::invalid_argument);
}

// Pooled codes are the max of each window's codes, for signed and {0,1,2} maps, odd sizes (floor) and wide pixels.
TEST(BitMap, MaxPoolOfCodesIsTheMaxOfEachWindow) {
  struct Case { int b, h, w, c, k, pad; BitBorder border; };
  for (const Case cc : {Case{2, 7, 6, 6, 2, 1, BitBorder::Zero}, Case{1, 9, 9, 70, 3, 0, BitBorder::MinusOne},
                        Case{3, 4, 4, 16, 2, 2, BitBorder::MinusOne}}) {
    const auto codes = randomCodes(static_cast<std::size_t>(cc.b) * cc.h * cc.w * cc.c, -1, 1, 11 + cc.c);
    const BitMap in = mapOf(codes, cc.b, cc.h, cc.w, cc.c, 1, cc.border);
    BitMap out;
    out.reset(cc.b, cc.h / cc.k, cc.w / cc.k, cc.c, cc.pad, cc.border);
    maxPoolBits(in, cc.k, out, cc.b > 1 ? 2 : 1);  // images split over two threads where there are several
    for (int n = 0; n < cc.b; ++n)
      for (int y = 0; y < out.height; ++y)
        for (int x = 0; x < out.width; ++x)
          for (int ch = 0; ch < cc.c; ++ch) {
            int want = -1;
            for (int dy = 0; dy < cc.k; ++dy)
              for (int dx = 0; dx < cc.k; ++dx) want = std::max(want, in.at(n, ch, y * cc.k + dy, x * cc.k + dx));
            ASSERT_EQ(out.at(n, ch, y, x), want) << "c=" << cc.c << " n=" << n << " y=" << y << " x=" << x << " ch=" << ch;
          }
    if (cc.pad > 0) EXPECT_EQ(out.m[0], cc.border == BitBorder::MinusOne ? 0xFF : 0x00);  // border untouched
  }
  BitMap in, bad;
  in.reset(1, 4, 4, 8, 0, BitBorder::Zero);
  bad.reset(1, 3, 2, 8, 0, BitBorder::Zero);
  EXPECT_THROW(maxPoolBits(in, 2, bad), std::invalid_argument);
}

}  // namespace
}  // namespace ternlab::kernels
