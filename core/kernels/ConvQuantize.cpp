#include "kernels/ConvQuantize.h"

#include <stdexcept>
#include <vector>

namespace ternlab::kernels {
namespace {

// ORs nbits bits of src (bits past nbits are zero) into zeroed dst starting at bit `offset`.
void orBits(std::uint64_t* dst, std::size_t dstWords, std::size_t offset, const std::uint64_t* src, int nbits) {
  const int srcWords = (nbits + 63) / 64;
  const int shift = static_cast<int>(offset & 63);
  std::size_t d = offset >> 6;
  if (shift == 0) {
    for (int j = 0; j < srcWords; ++j) dst[d + j] |= src[j];
    return;
  }
  for (int j = 0; j < srcWords; ++j, ++d) {  // branch-free on the data: codes are random
    const std::uint64_t v = src[j];
    dst[d] |= v << shift;
    if (d + 1 < dstWords) dst[d + 1] |= v >> (64 - shift);  // bits past nbits are zero
  }
}

}  // namespace

void PackedFeatureMap::reset(int b, int c, int h, int w) {
  if (b < 0 || c < 0 || h < 0 || w < 0) throw std::invalid_argument("PackedFeatureMap: negative shape");
  batch = b;
  channels = c;
  height = h;
  width = w;
  words = wordsFor(c);
  const std::size_t n = static_cast<std::size_t>(b) * h * w * words;
  m.assign(n, 0);
  s.assign(n, 0);
}

std::int8_t PackedFeatureMap::at(int n, int c, int h, int w) const {
  const std::size_t idx = pixel(n, h, w) + (c >> 6);
  const std::uint64_t bit = std::uint64_t{1} << (c & 63);
  if (!(m[idx] & bit)) return 0;
  return (s[idx] & bit) ? -1 : 1;
}

void quantizePackNCHW(const float* x, int batch, int channels, int height, int width, const QuantThresholds& thr,
                      PackedFeatureMap& out) {
  if (thr.neg > thr.pos) throw std::invalid_argument("quantizePackNCHW: thresholds neg > pos");
  out.reset(batch, channels, height, width);
  constexpr int kPix = 16;  // pixels per block: 16 floats = one cache line per channel row
  const std::size_t hw = static_cast<std::size_t>(height) * width;
  for (int n = 0; n < batch; ++n) {
    const float* img = x + static_cast<std::size_t>(n) * channels * hw;
    for (std::size_t p0 = 0; p0 < hw; p0 += kPix) {
      const int np = static_cast<int>(hw - p0 < kPix ? hw - p0 : kPix);
      for (int cw = 0; cw < out.words; ++cw) {
        std::uint64_t m[kPix] = {}, sg[kPix] = {};
        const int cEnd = channels - cw * 64 < 64 ? channels - cw * 64 : 64;
        for (int cb = 0; cb < cEnd; ++cb) {
          const float* row = img + static_cast<std::size_t>(cw * 64 + cb) * hw + p0;
          for (int q = 0; q < np; ++q) {  // branch-free: activations are unpredictable
            const std::uint64_t neg = static_cast<std::uint64_t>(row[q] < thr.neg);
            const std::uint64_t nonzero = neg | static_cast<std::uint64_t>(row[q] > thr.pos);
            m[q] |= nonzero << cb;
            sg[q] |= neg << cb;
          }
        }
        const std::size_t base = (static_cast<std::size_t>(n) * hw + p0) * out.words + cw;
        for (int q = 0; q < np; ++q) {
          out.m[base + static_cast<std::size_t>(q) * out.words] = m[q];
          out.s[base + static_cast<std::size_t>(q) * out.words] = sg[q];
        }
      }
    }
  }
}

void im2rowPacked(const PackedFeatureMap& in, const ConvShape& sh, TernaryRows& out) {
  if (in.channels != sh.inC || in.height != sh.inH || in.width != sh.inW || in.batch != sh.batch)
    throw std::invalid_argument("im2rowPacked: feature map does not match the shape");
  const int oh = sh.outH(), ow = sh.outW(), C = sh.inC;
  out.reset(sh.gemmM(), sh.gemmK());
  const std::size_t rowWords = static_cast<std::size_t>(out.words);
  for (int n = 0; n < sh.batch; ++n)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x) {
        const int row = (n * oh + y) * ow + x;
        std::uint64_t* dm = out.mRow(row);
        std::uint64_t* ds = out.sRow(row);
        for (int kh = 0; kh < sh.kH; ++kh) {
          const int ih = y * sh.strideH - sh.padH + kh;
          if (ih < 0 || ih >= sh.inH) continue;
          for (int kw = 0; kw < sh.kW; ++kw) {
            const int iw = x * sh.strideW - sh.padW + kw;
            if (iw < 0 || iw >= sh.inW) continue;
            const std::size_t offset = static_cast<std::size_t>(kh * sh.kW + kw) * C;
            const std::size_t px = in.pixel(n, ih, iw);
            if (C % 64 == 0) {  // word-aligned taps: plain copies
              const std::size_t d = offset >> 6;
              for (int j = 0; j < in.words; ++j) {
                dm[d + j] = in.m[px + j];
                ds[d + j] = in.s[px + j];
              }
            } else {
              orBits(dm, rowWords, offset, in.m.data() + px, C);
              orBits(ds, rowWords, offset, in.s.data() + px, C);
            }
          }
        }
      }
}

void quantizeIm2row(const float* x, const ConvShape& sh, const QuantThresholds& thr, TernaryRows& out) {
  PackedFeatureMap map;
  quantizePackNCHW(x, sh.batch, sh.inC, sh.inH, sh.inW, thr, map);
  im2rowPacked(map, sh, out);
}

TernaryPanels packConvWeights(const std::int8_t* w, const ConvShape& sh) {
  const int K = sh.gemmK();
  std::vector<std::int8_t> reordered(static_cast<std::size_t>(sh.outC) * K);
  for (int o = 0; o < sh.outC; ++o)
    for (int c = 0; c < sh.inC; ++c)
      for (int kh = 0; kh < sh.kH; ++kh)
        for (int kw = 0; kw < sh.kW; ++kw)
          reordered[static_cast<std::size_t>(o) * K + (kh * sh.kW + kw) * sh.inC + c] =
              w[((static_cast<std::size_t>(o) * sh.inC + c) * sh.kH + kh) * sh.kW + kw];
  return packTernaryPanels(reordered.data(), sh.outC, K);
}

}  // namespace ternlab::kernels
