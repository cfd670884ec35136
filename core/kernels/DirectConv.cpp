#include "kernels/DirectConv.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/Parallel.h"
#include "kernels/detail/DirectConvArgs.h"

namespace ternlab::kernels {

DirectConvWeights packDirectConvWeights(const float* oihw, int outC, int inC, int kernel, int stride, int pad) {
  if (outC < 1 || inC < 1 || kernel < 1 || stride < 1 || pad < 0)
    throw std::invalid_argument("packDirectConvWeights: bad layer geometry");
  DirectConvWeights d;
  d.outC = outC, d.inC = inC, d.kernel = kernel, d.stride = stride, d.pad = pad;
  d.outPad = (outC + 15) / 16 * 16;
  d.w.assign(static_cast<std::size_t>(kernel) * kernel * inC * d.outPad, 0.0f);
  for (int o = 0; o < outC; ++o)
    for (int c = 0; c < inC; ++c)
      for (int kh = 0; kh < kernel; ++kh)
        for (int kw = 0; kw < kernel; ++kw)
          d.w[((static_cast<std::size_t>(kh) * kernel + kw) * inC + c) * d.outPad + o] =
              oihw[((static_cast<std::size_t>(o) * inC + c) * kernel + kh) * kernel + kw];
  return d;
}

void directConv(const float* x, int n, int h, int w, const DirectConvWeights& wt, float* y, const GemmOptions& opts) {
  const int oh = (h + 2 * wt.pad - wt.kernel) / wt.stride + 1, ow = (w + 2 * wt.pad - wt.kernel) / wt.stride + 1;
  if (n < 0 || oh <= 0 || ow <= 0) throw std::invalid_argument("directConv: input smaller than the kernel");
  void (*image)(const detail::DirectConvArgs&) = &detail::directConvPortable;
  if (opts.isa() == Isa::Avx512) image = &detail::directConvAvx512;
  if (opts.isa() == Isa::Avx2) image = &detail::directConvAvx2;
  const int hp = h + 2 * wt.pad, wp = w + 2 * wt.pad;
  const std::size_t inImage = static_cast<std::size_t>(wt.inC) * h * w, outImage = static_cast<std::size_t>(oh) * ow * wt.outC;
  parallelFor(static_cast<std::size_t>(n), opts.threads(), [&](std::size_t b0, std::size_t b1) {
    thread_local AlignedVec<float> padded;
    // The border and the slack for full-vector row reads stay zero for every image.
    padded.assign(static_cast<std::size_t>(wt.inC) * hp * wp + detail::kDirectSlack, 0.0f);
    for (std::size_t b = b0; b < b1; ++b) {
      for (int c = 0; c < wt.inC; ++c)
        for (int iy = 0; iy < h; ++iy)
          std::copy_n(x + b * inImage + (static_cast<std::size_t>(c) * h + iy) * w, w,
                      padded.data() + (static_cast<std::size_t>(c) * hp + iy + wt.pad) * wp + wt.pad);
      detail::DirectConvArgs a;
      a.xp = padded.data(), a.c = wt.inC, a.hp = hp, a.wp = wp, a.kernel = wt.kernel, a.stride = wt.stride;
      a.oh = oh, a.ow = ow, a.outC = wt.outC, a.outPad = wt.outPad, a.w = wt.w.data(), a.y = y + b * outImage;
      image(a);
    }
  });
}

}  // namespace ternlab::kernels
