// Convolution: fused quantize/pack/im2row + GEMM + epilogue against a naive direct convolution
// on int codes (NCHW / OIHW), with padding, stride, non-square kernels; the quantize-pack round trip.
#include <gtest/gtest.h>

#include "KernelTestSupport.h"
#include "kernels/Conv.h"

namespace ternlab::kernels {
namespace {

using test::randomCodes;

int naiveCode(float x, float neg, float pos) {
  if (x > pos) return 1;
  if (x < neg) return -1;
  return 0;
}

// Direct convolution on codes: y[n][o][oh][ow] = sum_{c,kh,kw} x[n][c][ih][iw] w[o][c][kh][kw].
std::vector<std::int32_t> naiveConv(const std::vector<std::int8_t>& x, const std::vector<std::int8_t>& w,
                                    const ConvShape& s) {
  const int OH = s.outH(), OW = s.outW();
  std::vector<std::int32_t> y(static_cast<std::size_t>(s.batch) * s.outC * OH * OW, 0);
  for (int n = 0; n < s.batch; ++n)
    for (int o = 0; o < s.outC; ++o)
      for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow) {
          std::int32_t acc = 0;
          for (int c = 0; c < s.inC; ++c)
            for (int kh = 0; kh < s.kH; ++kh)
              for (int kw = 0; kw < s.kW; ++kw) {
                const int ih = oh * s.strideH - s.padH + kh, iw = ow * s.strideW - s.padW + kw;
                if (ih < 0 || ih >= s.inH || iw < 0 || iw >= s.inW) continue;
                acc += x[((static_cast<std::size_t>(n) * s.inC + c) * s.inH + ih) * s.inW + iw] *
                       w[((static_cast<std::size_t>(o) * s.inC + c) * s.kH + kh) * s.kW + kw];
              }
          y[((static_cast<std::size_t>(n) * s.outC + o) * OH + oh) * OW + ow] = acc;
        }
  return y;
}

ConvShape shape(int b, int c, int h, int w, int oc, int kh, int kw, int sh, int sw, int ph, int pw) {
  ConvShape s;
  s.batch = b;
  s.inC = c;
  s.inH = h;
  s.inW = w;
  s.outC = oc;
  s.kH = kh;
  s.kW = kw;
  s.strideH = sh;
  s.strideW = sw;
  s.padH = ph;
  s.padW = pw;
  return s;
}

std::vector<ConvShape> convShapes() {
  return {shape(2, 3, 7, 5, 5, 3, 3, 1, 1, 1, 1),    shape(1, 70, 6, 6, 17, 3, 3, 2, 2, 1, 1),
          shape(1, 16, 8, 8, 16, 1, 1, 1, 1, 0, 0),  shape(2, 64, 5, 5, 33, 3, 3, 1, 1, 0, 0),
          shape(1, 5, 9, 9, 4, 5, 3, 2, 1, 2, 0),    shape(1, 129, 4, 3, 20, 3, 3, 1, 1, 1, 1)};
}

// Float input whose codes under thr are known: random values quantized by the test itself.
std::vector<float> randomInput(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.5f, 1.5f);
  std::vector<float> x(n);
  for (auto& v : x) v = d(rng);
  return x;
}

TEST(Conv, FloatInFloatOutMatchesDirectConvolution) {
  const QuantThresholds thr{-0.3f, 0.7f};  // asymmetric on purpose
  std::uint32_t seed = 1;
  for (const ConvShape& s : convShapes()) {
    const auto x = randomInput(static_cast<std::size_t>(s.batch) * s.inC * s.inH * s.inW, ++seed);
    std::vector<std::int8_t> xc(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) xc[i] = static_cast<std::int8_t>(naiveCode(x[i], thr.neg, thr.pos));
    const auto wc = randomCodes(static_cast<std::size_t>(s.outC) * s.inC * s.kH * s.kW, -1, 1, ++seed);
    const auto expect = naiveConv(xc, wc, s);
    std::vector<float> scale(s.outC), bias(s.outC);
    for (int o = 0; o < s.outC; ++o) {
      scale[o] = (o % 3 == 0) ? 0.5f : (o % 3 == 1 ? 2.0f : -1.0f);
      bias[o] = 0.25f * static_cast<float>(o % 5) - 0.5f;
    }
    const TernaryPanels w = packConvWeights(wc.data(), s);
    for (Isa isa : test::isasUnderTest()) {
      std::vector<float> y(expect.size(), -1e9f);
      conv2dTernary(x.data(), s, thr, w, ChannelAffine{}, y.data(), GemmOptions().isa(isa));
      for (std::size_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], static_cast<float>(expect[i])) << isaName(isa) << " @" << i;
      conv2dTernary(x.data(), s, thr, w, ChannelAffine{scale.data(), bias.data()}, y.data(),
                    GemmOptions().isa(isa).threads(2));
      const std::size_t hw = static_cast<std::size_t>(s.outH()) * s.outW();
      for (std::size_t i = 0; i < y.size(); ++i) {
        const int o = static_cast<int>((i / hw) % s.outC);
        ASSERT_FLOAT_EQ(y[i], scale[o] * static_cast<float>(expect[i]) + bias[o]) << isaName(isa) << " @" << i;
      }
    }
  }
}

TEST(Conv, QuantizePackRoundTripsCodes) {
  std::uint32_t seed = 50;
  for (const ConvShape& s : convShapes()) {
    const auto xc = randomCodes(static_cast<std::size_t>(s.batch) * s.inC * s.inH * s.inW, -1, 1, ++seed);
    // Input map from codes via the float quantizer (x = code is quantized back exactly).
    std::vector<float> xf(xc.begin(), xc.end());
    PackedFeatureMap in;
    quantizePackNCHW(xf.data(), s.batch, s.inC, s.inH, s.inW, QuantThresholds{-0.5f, 0.5f}, in);
    for (int n = 0; n < s.batch; ++n)
      for (int c = 0; c < s.inC; ++c)
        for (int h = 0; h < s.inH; ++h)
          for (int w = 0; w < s.inW; ++w)
            ASSERT_EQ(in.at(n, c, h, w), xc[((static_cast<std::size_t>(n) * s.inC + c) * s.inH + h) * s.inW + w]);
  }
}

TEST(Conv, Im2rowZeroPaddingBitsBeyondK) {
  const ConvShape s = shape(1, 70, 3, 3, 1, 3, 3, 1, 1, 1, 1);
  const auto xc = randomCodes(70 * 9, -1, 1, 9);
  std::vector<float> xf(xc.begin(), xc.end());
  TernaryRows rows;
  quantizeIm2row(xf.data(), s, QuantThresholds{}, rows);
  ASSERT_EQ(rows.cols, 630);
  for (int r = 0; r < rows.paddedRows; ++r) {
    const std::uint64_t last = rows.mRow(r)[rows.words - 1];
    EXPECT_EQ(last >> (630 % 64), 0u);
  }
}

TEST(Conv, RejectsMismatchedWeights) {
  const ConvShape s = shape(1, 4, 4, 4, 2, 3, 3, 1, 1, 1, 1);
  const auto wc = randomCodes(2 * 4 * 9, -1, 1, 3);
  ConvShape other = s;
  other.inC = 5;
  const TernaryPanels w = packConvWeights(randomCodes(2 * 5 * 9, -1, 1, 3).data(), other);
  std::vector<float> x(64), y(32);
  EXPECT_THROW(conv2dTernary(x.data(), s, QuantThresholds{}, w, ChannelAffine{}, y.data()), std::invalid_argument);
}

}  // namespace
}  // namespace ternlab::kernels
