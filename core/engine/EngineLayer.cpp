#include "engine/EngineLayer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "kernels/Conv.h"
#include "kernels/Int8Gemm.h"
#include "kernels/Parallel.h"
#include "kernels/TernaryGemm.h"

namespace ternlab::engine {

namespace {

// acc rows (img, pixel) x N -> NCHW floats with per-channel affine, optional per-image factor and ReLU.
void epilogue(const std::int32_t* acc, int batch, int hw, int N, const float* scale, const float* bias,
              const float* perImage, bool relu, float* y) {
  for (int b = 0; b < batch; ++b) {
    const float f = perImage ? perImage[b] : 1.0f;
    for (int p = 0; p < hw; ++p) {
      const std::int32_t* a = acc + (static_cast<std::size_t>(b) * hw + p) * N;
      for (int n = 0; n < N; ++n) {
        float v = scale[n] * f * static_cast<float>(a[n]) + bias[n];
        if (relu && v < 0) v = 0;
        y[(static_cast<std::size_t>(b) * N + n) * hw + p] = v;
      }
    }
  }
}

}  // namespace

EngineLayer::EngineLayer(const TnnLayer& l, int inH, int inW) : layer_(l) {
  shape_.inC = l.inC;
  shape_.inH = inH;
  shape_.inW = inW;
  shape_.outC = l.outC;
  shape_.kH = shape_.kW = l.kernel;
  shape_.strideH = shape_.strideW = l.stride;
  shape_.padH = shape_.padW = l.pad;
  if (shape_.outH() <= 0 || shape_.outW() <= 0)
    throw std::invalid_argument("layer " + l.name + ": input " + std::to_string(inH) + "x" + std::to_string(inW) +
                                " is too small");
  const int K = shape_.gemmK();
  switch (l.mode) {
    case LayerMode::Float:
      break;
    case LayerMode::TernaryInt8Act:
      int8Panels_ = kernels::packInt8Panels(l.codes.data(), l.outC, K);  // K in (c, kh, kw) order = OIHW
      plus_.resize(l.outC);
      minus_.resize(l.outC);
      for (int n = 0; n < l.outC; ++n)
        for (int k = 0; k < K; ++k) {
          const int c = l.codes[static_cast<std::size_t>(n) * K + k];
          if (c > 0) plus_[n].push_back(k);
          if (c < 0) minus_[n].push_back(k);
        }
      break;
    case LayerMode::TernarySignedAct:
    case LayerMode::TernaryHalfAct:
      panels_ = kernels::packConvWeights(l.codes.data(), shape_);
      break;
  }
  if (l.mode == LayerMode::TernaryHalfAct) {
    // x = y + 1 with y the stored ternary code: Σ x w = Σ y w + Σ_{in-bounds taps} w (torch pads x = 0,
    // the bit im2row pads y = 0, i.e. x = 1, so the border pixels see fewer taps).
    const int oh = shape_.outH(), ow = shape_.outW(), k = l.kernel;
    borderSum_.assign(static_cast<std::size_t>(oh) * ow * l.outC, 0);
    std::vector<std::int32_t> tapSum(static_cast<std::size_t>(l.outC) * k * k, 0);
    for (int n = 0; n < l.outC; ++n)
      for (int c = 0; c < l.inC; ++c)
        for (int t = 0; t < k * k; ++t) tapSum[n * k * k + t] += l.codes[(static_cast<std::size_t>(n) * l.inC + c) * k * k + t];
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int kh = 0; kh < k; ++kh)
          for (int kw = 0; kw < k; ++kw) {
            const int iy = y * l.stride - l.pad + kh, ix = x * l.stride - l.pad + kw;
            if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
            for (int n = 0; n < l.outC; ++n)
              borderSum_[(static_cast<std::size_t>(y) * ow + x) * l.outC + n] += tapSum[n * k * k + kh * k + kw];
          }
  }
}

void EngineLayer::forward(const FeatureMap& x, FeatureMap& y, bool relu, const EngineOptions& o,
                          std::vector<std::int32_t>* acc) const {
  const int threads = o.threads;
  if (x.c != shape_.inC || x.h != shape_.inH || x.w != shape_.inW)
    throw std::invalid_argument("layer " + layer_.name + ": input shape does not match the compiled shape");
  y.reset(x.n, shape_.outC, shape_.outH(), shape_.outW());
  switch (layer_.mode) {
    case LayerMode::Float: return forwardFloat(x, y, relu);
    case LayerMode::TernaryInt8Act:
      return o.fp32Activations ? forwardFp32Ternary(x, y, relu, threads) : forwardInt8(x, y, relu, threads);
    default: return forwardTernaryAct(x, y, relu, threads, acc);
  }
}

void EngineLayer::forwardFloat(const FeatureMap& x, FeatureMap& y, bool relu) const {
  // FP edge layers (stem, classifier) run in fp32 through ATen (oneDNN / BLAS), then the folded affine.
  auto opts = torch::TensorOptions().dtype(torch::kFloat32);
  auto xt = torch::from_blob(const_cast<float*>(x.data.data()), {x.n, x.c, x.h, x.w}, opts);
  const int k = layer_.kernel;
  auto wt = torch::from_blob(const_cast<float*>(layer_.weights.data()), {layer_.outC, layer_.inC, k, k}, opts);
  at::Tensor out;
  if (layer_.kind == "linear")
    out = torch::mm(xt.reshape({x.n, -1}), wt.reshape({layer_.outC, -1}).t());
  else
    out = torch::conv2d(xt, wt, {}, {layer_.stride, layer_.stride}, {layer_.pad, layer_.pad});
  out = out.contiguous();
  const float* o = out.data_ptr<float>();
  const std::size_t hw = y.plane();
  for (int b = 0; b < y.n; ++b)
    for (int n = 0; n < y.c; ++n) {
      const std::size_t base = (static_cast<std::size_t>(b) * y.c + n) * hw;
      for (std::size_t p = 0; p < hw; ++p) {
        float v = layer_.scale[n] * o[base + p] + layer_.bias[n];
        y.data[base + p] = relu && v < 0 ? 0 : v;
      }
    }
}

void EngineLayer::forwardInt8(const FeatureMap& x, FeatureMap& y, bool relu, int threads) const {
  // FP activations x ternary weights: each image quantized once to int8 with its own symmetric scale
  // s = max|x| / 127 into a zero-padded u8 image (value + 128), then im2col by k-byte copies straight into
  // the kernel's Int8Rows; Σ q w with the int8 kernel; y = scale[n] * s * acc + bias[n].
  const int oh = shape_.outH(), ow = shape_.outW(), k = layer_.kernel, K = shape_.gemmK(), st = layer_.stride;
  const int P = oh * ow, M = x.n * P, pad = layer_.pad;
  const int hp = x.h + 2 * pad, wp = x.w + 2 * pad;
  kernels::Int8Rows rows;
  rows.rows = M;
  rows.cols = K;
  rows.groups = (K + 3) / 4;
  rows.paddedRows = kernels::alignRows(M);
  rows.data.assign(static_cast<std::size_t>(rows.paddedRows) * rows.stride(), 128);
  std::vector<float> perImage(x.n);
  const std::size_t imgSize = static_cast<std::size_t>(x.c) * x.plane();
  kernels::parallelFor(x.n, threads, [&](std::size_t b0, std::size_t b1) {
    std::vector<std::uint8_t> q(static_cast<std::size_t>(x.c) * hp * wp);
    for (std::size_t b = b0; b < b1; ++b) {
      const float* img = x.data.data() + b * imgSize;
      float mx = 0;
      for (std::size_t i = 0; i < imgSize; ++i) mx = std::max(mx, std::fabs(img[i]));
      const float s = mx > 0 ? mx / 127.0f : 1.0f;
      perImage[b] = s;
      const float inv = 1.0f / s;
      std::fill(q.begin(), q.end(), std::uint8_t{128});
      for (int c = 0; c < x.c; ++c)
        for (int iy = 0; iy < x.h; ++iy) {
          const float* src = img + (static_cast<std::size_t>(c) * x.h + iy) * x.w;
          std::uint8_t* dst = q.data() + (static_cast<std::size_t>(c) * hp + iy + pad) * wp + pad;
          for (int ix = 0; ix < x.w; ++ix) dst[ix] = static_cast<std::uint8_t>(std::nearbyint(src[ix] * inv) + 128.0f);
        }
      for (int py = 0; py < oh; ++py)
        for (int px = 0; px < ow; ++px) {
          std::uint8_t* row = rows.data.data() + (b * P + static_cast<std::size_t>(py) * ow + px) * rows.stride();
          for (int c = 0; c < x.c; ++c)
            for (int kh = 0; kh < k; ++kh, row += k)
              std::memcpy(row, q.data() + (static_cast<std::size_t>(c) * hp + py * st + kh) * wp + px * st, k);
        }
    }
  });
  std::vector<std::int32_t> acc(static_cast<std::size_t>(M) * layer_.outC);
  kernels::int8Gemm(rows, int8Panels_, acc.data(), kernels::GemmOptions().threads(threads));
  epilogue(acc.data(), x.n, P, layer_.outC, layer_.scale.data(), layer_.bias.data(), perImage.data(), relu,
           y.data.data());
}

void EngineLayer::forwardFp32Ternary(const FeatureMap& x, FeatureMap& y, bool relu, int threads) const {
  // FP activations x ternary weights, exact up to fp32 summation order: per output, Σ_{w=+1} x - Σ_{w=-1} x
  // over an fp32 im2col row (K in (c, kh, kw) order), then the folded affine.
  const int oh = shape_.outH(), ow = shape_.outW(), k = layer_.kernel, K = shape_.gemmK(), N = layer_.outC;
  const int P = oh * ow;
  const std::size_t imgSize = static_cast<std::size_t>(x.c) * x.plane();
  kernels::parallelFor(x.n, threads, [&](std::size_t b0, std::size_t b1) {
    std::vector<float> row(K);
    for (std::size_t b = b0; b < b1; ++b) {
      const float* img = x.data.data() + b * imgSize;
      for (int p = 0; p < P; ++p) {
        const int py = p / ow, px = p % ow;
        int idx = 0;
        for (int c = 0; c < x.c; ++c)
          for (int kh = 0; kh < k; ++kh)
            for (int kw = 0; kw < k; ++kw, ++idx) {
              const int iy = py * layer_.stride - layer_.pad + kh, ix = px * layer_.stride - layer_.pad + kw;
              row[idx] = (iy >= 0 && iy < x.h && ix >= 0 && ix < x.w) ? img[(static_cast<std::size_t>(c) * x.h + iy) * x.w + ix] : 0.0f;
            }
        for (int n = 0; n < N; ++n) {
          float s = 0;
          for (int i : plus_[n]) s += row[i];
          for (int i : minus_[n]) s -= row[i];
          float v = layer_.scale[n] * s + layer_.bias[n];
          y.data[(b * N + n) * P + p] = relu && v < 0 ? 0 : v;
        }
      }
    }
  });
}

void EngineLayer::forwardTernaryAct(const FeatureMap& x, FeatureMap& y, bool relu, int threads,
                                    std::vector<std::int32_t>* accOut) const {
  kernels::ConvShape sh = shape_;
  sh.batch = x.n;
  const kernels::QuantThresholds thr{layer_.thrNeg, layer_.thrPos};
  const auto opts = kernels::GemmOptions().threads(threads);
  if (layer_.mode == LayerMode::TernarySignedAct && !accOut) {
    // Fused path: quantize + bit-pack + im2row on bits + 2-popcount GEMM + affine epilogue.
    kernels::conv2dTernary(x.data.data(), sh, thr, panels_, {layer_.scale.data(), layer_.bias.data()}, y.data.data(),
                           opts);
    if (relu)
      for (auto& v : y.data) v = v < 0 ? 0 : v;
    return;
  }
  kernels::TernaryRows rows;
  kernels::quantizeIm2row(x.data.data(), sh, thr, rows);
  const int P = sh.outH() * sh.outW(), N = sh.outC;
  std::vector<std::int32_t> local;
  std::vector<std::int32_t>& acc = accOut ? *accOut : local;
  acc.assign(static_cast<std::size_t>(sh.gemmM()) * N, 0);
  kernels::ternaryGemm(rows, panels_, acc.data(), opts);
  if (layer_.mode == LayerMode::TernaryHalfAct)
    for (int b = 0; b < x.n; ++b)
      for (std::size_t i = 0; i < borderSum_.size(); ++i) acc[static_cast<std::size_t>(b) * P * N + i] += borderSum_[i];
  epilogue(acc.data(), x.n, P, N, layer_.scale.data(), layer_.bias.data(), nullptr, relu, y.data.data());
}

}  // namespace ternlab::engine

namespace ternlab::engine {

void EngineLayer::forwardToPacked(const FeatureMap& x, const kernels::QuantThresholds& next,
                                  kernels::PackedFeatureMap& out, int threads) const {
  kernels::ConvShape sh = shape_;
  sh.batch = x.n;
  kernels::PackedFeatureMap in;
  kernels::quantizePackNCHW(x.data.data(), x.n, x.c, x.h, x.w, {layer_.thrNeg, layer_.thrPos}, in);
  kernels::conv2dTernaryPacked(in, sh, panels_, {layer_.scale.data(), layer_.bias.data()}, next, out,
                               kernels::GemmOptions().threads(threads));
}

void EngineLayer::forwardFromPacked(const kernels::PackedFeatureMap& in, FeatureMap& y, bool relu, int threads) const {
  kernels::ConvShape sh = shape_;
  sh.batch = in.batch;
  kernels::TernaryRows rows;
  kernels::im2rowPacked(in, sh, rows);
  std::vector<std::int32_t> acc(static_cast<std::size_t>(sh.gemmM()) * sh.outC);
  kernels::ternaryGemm(rows, panels_, acc.data(), kernels::GemmOptions().threads(threads));
  y.reset(in.batch, sh.outC, sh.outH(), sh.outW());
  epilogue(acc.data(), in.batch, sh.outH() * sh.outW(), sh.outC, layer_.scale.data(), layer_.bias.data(), nullptr, relu,
           y.data.data());
}

}  // namespace ternlab::engine
