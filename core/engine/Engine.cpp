#include "engine/Engine.h"

#include "engine/EnginePlan.h"

#include <torch/torch.h>

#include <algorithm>
#if defined(__SSE2__)
#include <immintrin.h>
#endif
#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "kernels/BitConv.h"
#include "kernels/DirectConv.h"
#include "kernels/Int8Gemm.h"
#include "kernels/PackedInt8.h"
#include "kernels/Parallel.h"

namespace ternlab::engine {

using namespace detail;

Engine::Engine(TnnModel model) : model_(std::move(model)), plan_(std::make_unique<Plan>()) {
  detail::buildPlan(model_, *plan_, true);
  last_ = plan_.get();
}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;

const std::map<int, std::vector<std::int32_t>>& Engine::accumulators() const { return last_->captured; }
const std::vector<std::pair<std::string, double>>& Engine::profile() const { return last_->profile; }

std::vector<PhaseTime> Engine::phases() const {
  std::vector<PhaseTime> out;
  for (const auto& [k, v] : last_->phase) out.push_back({k, v});
  return out;
}

double Engine::ternaryMacsPerImage() const {
  double macs = 0;
  for (const auto& c : plan_->layers)
    if (bitsInput(*c.l)) macs += static_cast<double>(c.outH) * c.outW * c.l->outC * c.l->planes * c.K();
  return macs;
}

int Engine::lastWorkers() const { return last_->lastWorkers; }

std::size_t Engine::activationBytes() const {
  std::size_t b = 0;
  for (const auto& w : last_->workspaces) {
    for (const auto& f : w.floats) b += f.capacity() * sizeof(float);
    for (const auto& m : w.maps) b += m.m.capacity() + m.s.capacity();
    b += w.acc.capacity() * sizeof(std::int32_t) + w.int8Rows.data.capacity() + w.fp32Rows.capacity() * sizeof(float);
  }
  return b;
}

namespace {

// The offset int8 code of v (|v| <= 127 by construction): a non-finite value (a NaN or infinity in the images
// or from a layer before) saturates, NaN to 0, instead of an undefined float-to-integer conversion.
inline std::uint8_t int8Code(float v) {
  const float r = std::nearbyint(v);
  const float c = r > 127.0f ? 127.0f : r >= -127.0f ? r : r < -127.0f ? -127.0f : 0.0f;
  return static_cast<std::uint8_t>(c + 128.0f);
}

// x (n, c, hw) -> y (n, hw, c). With SSE2 (every x86-64) in 4 x 4 blocks: a plain element loop is ~3.5x
// slower here (its 16 strided stores per pixel run alias in the store buffer), and so is ATen's permute copy.
void nchwToNhwc(const float* __restrict x, float* __restrict y, int n, int c, std::size_t hw) {
  for (int b = 0; b < n; ++b) {
    const float* xi = x + static_cast<std::size_t>(b) * c * hw;
    float* yi = y + static_cast<std::size_t>(b) * c * hw;
    std::size_t p0 = 0;
    int c4 = 0;
#if defined(__SSE2__)
    c4 = c / 4 * 4;
    for (; p0 + 4 <= hw; p0 += 4)
      for (int ch = 0; ch < c4; ch += 4) {
        const float* s = xi + static_cast<std::size_t>(ch) * hw + p0;
        __m128 r0 = _mm_loadu_ps(s), r1 = _mm_loadu_ps(s + hw), r2 = _mm_loadu_ps(s + 2 * hw), r3 = _mm_loadu_ps(s + 3 * hw);
        _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
        float* d = yi + p0 * c + ch;
        _mm_storeu_ps(d, r0), _mm_storeu_ps(d + c, r1), _mm_storeu_ps(d + 2 * c, r2), _mm_storeu_ps(d + 3 * c, r3);
      }
#endif
    for (std::size_t p = 0; p < hw; ++p)  // what the blocks left: the channels past c4, or pixels past p0
      for (int ch = p < p0 ? c4 : 0; ch < c; ++ch) yi[p * c + ch] = xi[static_cast<std::size_t>(ch) * hw + p];
  }
}

// The run-time side of one plan, for one batch.
class Runner {
 public:
  Runner(const TnnModel& m, Engine::Plan& p, Engine::Workspace& w, const float* images, int n, const EngineOptions& o)
      : m_(m), p_(p), w_(w), images_(images), n_(n), o_(o), gopts_(kernels::GemmOptions().threads(o.threads)) {}

  float* fdata(int v) {
    if (v == 0) return const_cast<float*>(images_);
    return w_.floats[p_.fbuf[v]].data();
  }
  void sizeFloat(int v) {
    const auto& f = p_.fvals[v];
    auto& buf = w_.floats[p_.fbuf[v]];
    const std::size_t need = static_cast<std::size_t>(n_) * f.c * f.h * f.w;
    if (buf.size() < need) buf.resize(need);
  }
  kernels::BitMap& bits(int v) { return w_.maps[p_.bbuf[v]]; }
  void sizeBits(int v) {
    const auto& b = p_.bvals[v];
    bits(v).reset(n_, b.h, b.w, b.c, b.pad, b.border);
  }

  void step(const Step& s) {
    if (s.outF >= 0) sizeFloat(s.outF);
    if (s.outB >= 0) sizeBits(s.outB);
    switch (s.kind) {
      case StepKind::ToNhwc: return toNhwc(s);
      case StepKind::Quantize: return quantize(s);
      case StepKind::Layer: return layer(s);
      case StepKind::Activation: return activation(s);
      case StepKind::MaxPool: return maxPool(s);
      case StepKind::BitMaxPool: return kernels::maxPoolBits(bits(s.inB), s.k, bits(s.outB), o_.threads);
      case StepKind::Gap: return gap(s);
    }
  }

  std::string phaseOf(const Step& s) const {
    switch (s.kind) {
      case StepKind::ToNhwc:
      case StepKind::Quantize: return "quantize/pack";
      case StepKind::Layer: {
        const auto mode = p_.layers[s.layer].l->mode;
        if (mode == LayerMode::Float) return "float layers";
        if (mode == LayerMode::TernaryInt8Act) return "int8 layers";
        return "";  // split into gather / gemm / epilogue by bitConv
      }
      default: return "pool/activation";
    }
  }
  kernels::BitConvTimes times;

 private:
  kernels::LayerEpilogue epilogueOf(const Step& s) {
    kernels::LayerEpilogue e;
    if (s.layer >= 0) {
      const auto& l = *p_.layers[s.layer].l;
      e.scale = l.scale.data(), e.bias = l.bias.data(), e.planes = l.planes;
      e.preBias = l.preBias.empty() ? nullptr : l.preBias.data();
      e.bnScale = l.bnScale.empty() ? nullptr : l.bnScale.data();
    }
    e.act1 = epilogueAct(m_, s.act1, s.act1Index);
    e.act2 = epilogueAct(m_, s.act2, s.act2Index);
    if (s.resF >= 0) {
      const auto& r = p_.fvals[s.resF];
      e.residual = fdata(s.resF);
      e.resH = r.h, e.resW = r.w, e.resC = r.c, e.resStride = s.resStride, e.resOffset = s.resOffset;
    }
    if (s.outF >= 0) e.outFloat = fdata(s.outF);
    if (s.outB >= 0) {
      e.outBits = &bits(s.outB);
      e.next = p_.bvals[s.outB].thr;
    }
    if (s.integerCodes >= 0) e.integerCodes = &p_.integerCodes[s.integerCodes];
    return e;
  }

  void toNhwc(const Step& s) {
    const auto& v = p_.fvals[s.inF];
    const float* x = fdata(s.inF);
    float* y = fdata(s.outF);
    nchwToNhwc(x, y, n_, v.c, static_cast<std::size_t>(v.h) * v.w);
  }

  void quantize(const Step& s) {
    const auto& v = p_.fvals[s.inF];
    kernels::LayerEpilogue e;
    e.outBits = &bits(s.outB);
    e.next = p_.bvals[s.outB].thr;
    kernels::floatEpilogue(fdata(s.inF), n_, v.h, v.w, v.c, e, gopts_);
  }

  void activation(const Step& s) {
    const auto& v = p_.fvals[s.inF];
    kernels::LayerEpilogue e = epilogueOf(s);
    kernels::floatEpilogue(fdata(s.inF), n_, v.h, v.w, v.c, e, gopts_);
  }

  void layer(const Step& s) {
    const CompiledLayer& c = p_.layers[s.layer];
    const TnnLayer& l = *c.l;
    kernels::LayerEpilogue e = epilogueOf(s);
    switch (l.mode) {
      case LayerMode::Float: return floatLayer(s, c, e);
      case LayerMode::TernaryInt8Act: return o_.fp32Activations ? fp32Layer(s, c, e) : int8Layer(s, c, e);
      default: {
        std::int32_t* acc = nullptr;
        if (o_.captureAccumulators) {
          auto& a = p_.captured[s.layer];
          a.assign(static_cast<std::size_t>(n_) * c.outH * c.outW * l.planes * l.outC, 0);
          acc = a.data();
        }
        kernels::bitConv(bits(s.inB), c.bits, e, acc, gopts_, o_.profile ? &times : nullptr);
      }
    }
  }

  // FP layers run in fp32 through ATen (as the training graph), then the fused epilogue.
  void floatLayer(const Step& s, const CompiledLayer& c, const kernels::LayerEpilogue& e) {
    const TnnLayer& l = *c.l;
    const auto opts = torch::TensorOptions().dtype(torch::kFloat32);
    if (c.direct && s.inF == 0) {  // the network input (NCHW) straight to NHWC outputs
      w_.fp32Rows.resize(static_cast<std::size_t>(n_) * c.outH * c.outW * l.outC);
      kernels::directConv(fdata(0), n_, c.inH, c.inW, c.directW, w_.fp32Rows.data(), gopts_);
      return kernels::floatEpilogue(w_.fp32Rows.data(), n_, c.outH, c.outW, l.outC, e, gopts_);
    }
    at::Tensor x;
    if (s.inF == 0)
      x = torch::from_blob(fdata(0), {n_, c.inC, c.inH, c.inW}, opts);
    else
      x = torch::from_blob(fdata(s.inF), {n_, c.inC, c.inH, c.inW},
                           {static_cast<std::int64_t>(c.inH) * c.inW * c.inC, 1, static_cast<std::int64_t>(c.inW) * c.inC, c.inC},
                           opts);
    at::Tensor y;
    if (l.kind == nn::LayerKind::Linear) {
      auto wt = torch::from_blob(const_cast<float*>(l.weights.data()), {l.outC, l.inC}, opts);
      y = torch::mm(x.contiguous().reshape({n_, -1}), wt.t()).contiguous();  // NCHW flatten, as the graph
    } else {
      auto wt = torch::from_blob(const_cast<float*>(l.weights.data()), {l.outC, l.inC, l.kernel, l.kernel}, opts);
      const auto nchw = torch::conv2d(x, wt, {}, {l.stride, l.stride}, {l.pad, l.pad}).contiguous();
      const std::size_t hw = static_cast<std::size_t>(c.outH) * c.outW;
      w_.fp32Rows.resize(static_cast<std::size_t>(n_) * l.outC * hw);
      nchwToNhwc(nchw.data_ptr<float>(), w_.fp32Rows.data(), n_, l.outC, hw);
      return kernels::floatEpilogue(w_.fp32Rows.data(), n_, c.outH, c.outW, l.outC, e, gopts_);
    }
    kernels::floatEpilogue(y.data_ptr<float>(), n_, c.outH, c.outW, l.outC, e, gopts_);
  }

  // FP activations x ternary weights: each image quantized to int8 with its own symmetric scale
  // s = max|x| / 127 (round to nearest) into a zero-padded u8 image (value + 128); im2col by copies of
  // whole kernel rows (k·C bytes, NHWC); Σ q w on the int8 kernel; y = scale · s · acc + bias.
  void int8Layer(const Step& s, const CompiledLayer& c, const kernels::LayerEpilogue& eIn) {
    const TnnLayer& l = *c.l;
    const int k = c.kernel, st = c.stride, pad = c.pad, C = c.inC, K = c.K();
    const int P = c.outH * c.outW, M = n_ * P;
    const int hp = c.inH + 2 * pad, wp = c.inW + 2 * pad;
    auto& rows = w_.int8Rows;
    rows.rows = M, rows.cols = K, rows.groups = (K + 3) / 4, rows.paddedRows = kernels::alignRows(M);
    rows.data.assign(static_cast<std::size_t>(rows.paddedRows) * rows.stride(), 128);
    w_.perImage.assign(n_, 1.0f);
    const float* x = fdata(s.inF);
    const std::size_t imgSize = static_cast<std::size_t>(C) * c.inH * c.inW;
    kernels::parallelFor(n_, o_.threads, [&](std::size_t b0, std::size_t b1) {
      std::vector<std::uint8_t> q(static_cast<std::size_t>(hp) * wp * C);
      for (std::size_t b = b0; b < b1; ++b) {
        const float* img = x + b * imgSize;
        float mx = 0;
        for (std::size_t i = 0; i < imgSize; ++i) mx = std::max(mx, std::fabs(img[i]));
        const float sc = mx > 0 ? mx / 127.0f : 1.0f;
        w_.perImage[b] = sc;
        const float inv = 1.0f / sc;
        std::fill(q.begin(), q.end(), std::uint8_t{128});
        for (int iy = 0; iy < c.inH; ++iy) {
          const float* src = img + static_cast<std::size_t>(iy) * c.inW * C;
          std::uint8_t* dst = q.data() + (static_cast<std::size_t>(iy + pad) * wp + pad) * C;
          for (int i = 0; i < c.inW * C; ++i) dst[i] = int8Code(src[i] * inv);
        }
        for (int py = 0; py < c.outH; ++py)
          for (int px = 0; px < c.outW; ++px) {
            std::uint8_t* row = rows.data.data() + (b * P + static_cast<std::size_t>(py) * c.outW + px) * rows.stride();
            for (int kh = 0; kh < k; ++kh)
              std::memcpy(row + static_cast<std::size_t>(kh) * k * C,
                          q.data() + (static_cast<std::size_t>(py * st + kh) * wp + px * st) * C,
                          static_cast<std::size_t>(k) * C);
          }
      }
    });
    const int N = l.planes * l.outC;
    w_.acc.resize(static_cast<std::size_t>(M) * N);
    kernels::int8Gemm(rows, c.int8, w_.acc.data(), gopts_);
    kernels::LayerEpilogue e = eIn;
    e.perImage = w_.perImage.data();
    kernels::intEpilogue(w_.acc.data(), n_, c.outH, c.outW, l.outC, e, gopts_);
  }

  // FP activations x ternary weights, exact up to fp32 summation order: Σ_{w=+1} x − Σ_{w=−1} x per output.
  void fp32Layer(const Step& s, const CompiledLayer& c, const kernels::LayerEpilogue& e) {
    const TnnLayer& l = *c.l;
    const int k = c.kernel, C = c.inC, K = c.K(), N = l.planes * l.outC, P = c.outH * c.outW;
    w_.fp32Rows.resize(static_cast<std::size_t>(n_) * P * N);
    const float* x = fdata(s.inF);
    kernels::parallelFor(n_, o_.threads, [&](std::size_t b0, std::size_t b1) {
      std::vector<float> row(K);
      for (std::size_t b = b0; b < b1; ++b)
        for (int p = 0; p < P; ++p) {
          const int py = p / c.outW, px = p % c.outW;
          for (int kh = 0; kh < k; ++kh)
            for (int kw = 0; kw < k; ++kw) {
              const int iy = py * c.stride - c.pad + kh, ix = px * c.stride - c.pad + kw;
              const bool in = iy >= 0 && iy < c.inH && ix >= 0 && ix < c.inW;
              for (int ch = 0; ch < C; ++ch)
                row[(kh * k + kw) * C + ch] =
                    in ? x[((b * c.inH + iy) * c.inW + ix) * static_cast<std::size_t>(C) + ch] : 0.0f;
            }
          float* out = w_.fp32Rows.data() + (b * P + p) * static_cast<std::size_t>(N);
          for (int n = 0; n < N; ++n) {
            float sum = 0;
            for (int i : c.plus[n]) sum += row[i];
            for (int i : c.minus[n]) sum -= row[i];
            out[n] = sum;
          }
        }
    });
    kernels::floatEpilogue(w_.fp32Rows.data(), n_, c.outH, c.outW, l.outC, e, gopts_);
  }

  void maxPool(const Step& s) {
    const auto& in = p_.fvals[s.inF];
    const auto& out = p_.fvals[s.outF];
    const float* x = fdata(s.inF);
    float* y = fdata(s.outF);
    const int k = s.k, C = in.c;
    for (int b = 0; b < n_; ++b)
      for (int oy = 0; oy < out.h; ++oy)
        for (int ox = 0; ox < out.w; ++ox) {
          float* o = y + ((static_cast<std::size_t>(b) * out.h + oy) * out.w + ox) * C;
          const float* first = x + ((static_cast<std::size_t>(b) * in.h + oy * k) * in.w + ox * k) * C;
          std::copy(first, first + C, o);
          for (int dy = 0; dy < k; ++dy)
            for (int dx = 0; dx < k; ++dx) {
              const float* p = x + ((static_cast<std::size_t>(b) * in.h + oy * k + dy) * in.w + ox * k + dx) * C;
              for (int ch = 0; ch < C; ++ch) o[ch] = std::max(o[ch], p[ch]);
            }
        }
  }

  void gap(const Step& s) {
    const auto& in = p_.fvals[s.inF];
    const float* x = fdata(s.inF);
    float* y = fdata(s.outF);
    const std::size_t hw = static_cast<std::size_t>(in.h) * in.w;
    std::vector<double> sum(in.c);
    for (int b = 0; b < n_; ++b) {
      std::fill(sum.begin(), sum.end(), 0.0);
      for (std::size_t p = 0; p < hw; ++p) {
        const float* px = x + (b * hw + p) * in.c;
        for (int ch = 0; ch < in.c; ++ch) sum[ch] += px[ch];
      }
      for (int ch = 0; ch < in.c; ++ch) y[static_cast<std::size_t>(b) * in.c + ch] = static_cast<float>(sum[ch] / static_cast<double>(hw));
    }
  }

  const TnnModel& m_;
  Engine::Plan& p_;
  Engine::Workspace& w_;
  const float* images_;
  int n_;
  const EngineOptions& o_;
  kernels::GemmOptions gopts_;
};

}  // namespace

namespace {

// Passes of a batch of n images: about imagesPerPass images each (cache-sized float maps), their count
// rounded up to a multiple of four so that two or four workers get equal shares. The rule does not depend on
// the thread count, so every image meets the same pass whatever the threads (LibTorch's FP edge layers
// round slightly differently with the batch they see).
int passSize(int n, int imagesPerPass) {
  int passes = (n + imagesPerPass - 1) / imagesPerPass;
  if (passes > 1) passes = std::min(n, (passes + 3) / 4 * 4);
  return (n + passes - 1) / passes;
}

// Per-step and per-phase seconds of one worker's profiled passes.
struct WorkerTimes {
  std::vector<double> step;
  std::map<std::string, double> phase;
};

}  // namespace

std::vector<float> Engine::run(const float* images, int n, const EngineOptions& o) {
  if (n <= 0) return {};
  if (!o.fuse && !unfused_) {  // every layer writes floats and each ternary layer quantizes its own input
    unfused_ = std::make_unique<Plan>();
    detail::buildPlan(model_, *unfused_, false);
  }
  Plan& p = o.fuse ? *plan_ : *unfused_;
  last_ = &p;
  p.captured.clear();
  if (o.profile && p.profile.size() != p.steps.size()) {
    p.profile.clear();
    for (const auto& s : p.steps) p.profile.emplace_back(s.name, 0.0);
  }
  // Images go through the whole network a pass at a time, so that a layer's float maps (the residual stream)
  // stay in cache between layers. With several threads, each worker runs whole passes in its own workspace
  // (no barrier between layers) when there are passes enough; otherwise (a small batch, latency) all threads
  // share each layer's rows. Captured accumulators need the whole batch in one pass.
  const int threads = std::max(1, o.threads);
  const int size = o.captureAccumulators ? n : passSize(n, p.imagesPerPass);
  const int passes = (n + size - 1) / size;
  const int workers = passes >= threads ? threads : 1;
  p.lastWorkers = workers;
  if (static_cast<int>(p.workspaces.size()) < workers) p.workspaces.resize(workers);
  for (auto& w : p.workspaces) w.floats.resize(p.floatBuffers), w.maps.resize(p.bitBuffers);
  EngineOptions inner = o;
  if (workers > 1) inner.threads = 1;
  const std::size_t perImage = static_cast<std::size_t>(model_.inC) * model_.inH * model_.inW;
  std::vector<float> logits(static_cast<std::size_t>(n) * model_.classes);
  std::vector<WorkerTimes> times(workers);
  const auto runPass = [&](int worker, int pass) {
    const int g0 = pass * size, g = std::min(size, n - g0);
    Runner r(model_, p, p.workspaces[worker], images + g0 * perImage, g, inner);
    WorkerTimes& t = times[worker];
    if (o.profile) t.step.resize(p.steps.size());
    for (std::size_t i = 0; i < p.steps.size(); ++i) {
      if (!o.profile) {
        r.step(p.steps[i]);
        continue;
      }
      const auto t0 = std::chrono::steady_clock::now();
      r.step(p.steps[i]);
      const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      t.step[i] += dt;
      const auto phase = r.phaseOf(p.steps[i]);
      if (!phase.empty()) t.phase[phase] += dt;
    }
    if (o.profile) {
      t.phase["gather"] += r.times.gather;
      t.phase["gemm"] += r.times.gemm;
      t.phase["epilogue"] += r.times.epilogue;
    }
    const float* out = r.fdata(p.logits);
    std::copy(out, out + static_cast<std::size_t>(g) * model_.classes, logits.begin() + g0 * model_.classes);
  };
  if (workers == 1) {
    for (int pass = 0; pass < passes; ++pass) runPass(0, pass);
  } else {
    kernels::parallelFor(static_cast<std::size_t>(workers), workers, [&](std::size_t u0, std::size_t u1) {
      for (std::size_t u = u0; u < u1; ++u)
        for (int pass = static_cast<int>(u); pass < passes; pass += workers) runPass(static_cast<int>(u), pass);
    });
  }
  // The profile is wall time: the workers ran side by side, so each step's time is their mean.
  for (const auto& t : times) {
    for (std::size_t i = 0; i < t.step.size(); ++i) p.profile[i].second += t.step[i] / workers;
    for (const auto& [k, v] : t.phase) p.phase[k] += v / workers;
  }
  return logits;
}

std::vector<int> Engine::predict(const float* images, int n, const EngineOptions& o) {
  const auto logits = run(images, n, o);
  std::vector<int> out(n);
  const int k = model_.classes;
  for (int i = 0; i < n; ++i)
    out[i] = static_cast<int>(std::max_element(logits.begin() + i * k, logits.begin() + (i + 1) * k) -
                              (logits.begin() + i * k));
  return out;
}

}  // namespace ternlab::engine

