// The direct FP convolution: every path bit-exact against the definition (from zero, one fused multiply-add
// per tap in the order kernel row, kernel column, input channel), over the shapes of first layers.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "KernelTestSupport.h"
#include "kernels/DirectConv.h"

namespace ternlab::kernels {
namespace {

struct DirectCase {
  int n, c, h, w, outC, k, stride, pad;
};

std::vector<float> definition(const std::vector<float>& x, const std::vector<float>& wt, const DirectCase& d) {
  const int oh = (d.h + 2 * d.pad - d.k) / d.stride + 1, ow = (d.w + 2 * d.pad - d.k) / d.stride + 1;
  std::vector<float> y(static_cast<std::size_t>(d.n) * oh * ow * d.outC);
  for (int b = 0; b < d.n; ++b)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox)
        for (int o = 0; o < d.outC; ++o) {
          float acc = 0.0f;
          for (int kh = 0; kh < d.k; ++kh)
            for (int kw = 0; kw < d.k; ++kw)
              for (int c = 0; c < d.c; ++c) {
                const int iy = oy * d.stride - d.pad + kh, ix = ox * d.stride - d.pad + kw;
                const bool in = iy >= 0 && iy < d.h && ix >= 0 && ix < d.w;
                const float v = in ? x[((static_cast<std::size_t>(b) * d.c + c) * d.h + iy) * d.w + ix] : 0.0f;
                acc = std::fma(v, wt[((static_cast<std::size_t>(o) * d.c + c) * d.k + kh) * d.k + kw], acc);
              }
          y[((static_cast<std::size_t>(b) * oh + oy) * ow + ox) * d.outC + o] = acc;
        }
  return y;
}

TEST(DirectConv, EveryPathEqualsTheFmaDefinition) {
  // ResNet stem, LeNet conv1, a strided 3-channel layer, 20 outputs over a 16-lane edge, rows shorter than 8.
  for (const DirectCase d : {DirectCase{2, 1, 28, 28, 16, 3, 1, 1}, DirectCase{2, 1, 28, 28, 6, 5, 1, 2},
                             DirectCase{3, 3, 9, 9, 16, 3, 2, 1}, DirectCase{1, 2, 7, 11, 20, 3, 1, 0},
                             DirectCase{1, 3, 5, 5, 64, 3, 1, 1}}) {
    std::mt19937 rng(static_cast<unsigned>(d.c * 100 + d.outC));
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> x(static_cast<std::size_t>(d.n) * d.c * d.h * d.w), wt(static_cast<std::size_t>(d.outC) * d.c * d.k * d.k);
    for (auto& v : x) v = g(rng);
    for (auto& v : wt) v = 0.3f * g(rng);
    const auto want = definition(x, wt, d);
    const auto packed = packDirectConvWeights(wt.data(), d.outC, d.c, d.k, d.stride, d.pad);
    for (const Isa isa : test::isasUnderTest()) {
      std::vector<float> y(want.size(), -7.0f);
      directConv(x.data(), d.n, d.h, d.w, packed, y.data(), GemmOptions().isa(isa).threads(2));
      for (std::size_t i = 0; i < y.size(); ++i)
        ASSERT_EQ(y[i], want[i]) << isaName(isa) << " case c=" << d.c << " outC=" << d.outC << " at " << i;
    }
  }
  EXPECT_THROW(packDirectConvWeights(nullptr, 4, 1, 0, 1, 0), std::invalid_argument);
}

}  // namespace
}  // namespace ternlab::kernels
