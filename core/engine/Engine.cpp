#include "engine/Engine.h"

#include <torch/torch.h>

#include <algorithm>
#if defined(__SSE2__)
#include <immintrin.h>
#endif
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>

#include "kernels/BitConv.h"
#include "kernels/DirectConv.h"
#include "kernels/Int8Gemm.h"
#include "kernels/PackedInt8.h"
#include "kernels/Parallel.h"

namespace ternlab::engine {

namespace {

// A float activation tensor of the plan, NHWC (the network input is the one NCHW value, id 0).
struct FloatValue {
  int c = 0, h = 0, w = 0;
};

// A bit map value: the codes of one consuming layer (its thresholds, border and pad).
struct BitsValue {
  int c = 0, h = 0, w = 0, pad = 0;
  kernels::BitBorder border = kernels::BitBorder::Zero;
  kernels::QuantThresholds thr;
};

enum class StepKind { ToNhwc, Quantize, Layer, Activation, MaxPool, BitMaxPool, Gap };

// One planned step: which values it reads and writes and, for layers, its fused epilogue.
struct Step {
  StepKind kind = StepKind::Layer;
  std::string name;
  int layer = -1;
  int inF = -1, inB = -1;  // float / bits input value
  int outF = -1, outB = -1;
  ActKind act1 = ActKind::None, act2 = ActKind::None;
  int act1Index = -1, act2Index = -1;
  int resF = -1, resStride = 1, resOffset = 0;
  int k = 2;
  int integerCodes = -1;  // index into Plan::integerCodes: a codes-only epilogue solved into integers
};

kernels::EpilogueAct epilogueAct(const TnnModel& m, ActKind kind, int index) {
  kernels::EpilogueAct a;
  if (kind == ActKind::Relu) a.kind = kernels::ActKind::Relu;
  if (kind == ActKind::Rprelu) {
    const auto& r = m.rprelu.at(index);
    a.kind = kernels::ActKind::Rprelu;
    a.shiftIn = r.shiftIn.data(), a.slope = r.slope.data(), a.shiftOut = r.shiftOut.data();
  }
  return a;
}

bool bitsInput(const TnnLayer& l) { return l.mode == LayerMode::TernarySignedAct || l.mode == LayerMode::TernaryHalfAct; }

// Codes planes x OIHW -> planes x O x (kh, kw, c): the K order of an NHWC im2col row.
std::vector<std::int8_t> codesKhKwC(const TnnLayer& l, int inC, int k) {
  const std::size_t rows = static_cast<std::size_t>(l.planes) * l.outC, K = static_cast<std::size_t>(inC) * k * k;
  std::vector<std::int8_t> out(rows * K);
  for (std::size_t o = 0; o < rows; ++o)
    for (int c = 0; c < inC; ++c)
      for (int t = 0; t < k * k; ++t) out[o * K + static_cast<std::size_t>(t) * inC + c] = l.codes[o * K + c * k * k + t];
  return out;
}

}  // namespace

// A layer compiled for its kernel; its input geometry is fixed at plan time (only the batch varies).
struct CompiledLayer {
  const TnnLayer* l = nullptr;
  int inC = 0, inH = 0, inW = 0;    // the map the layer reads (a linear layer reads it as a kernel = inH conv)
  int kernel = 1, stride = 1, pad = 0, outH = 1, outW = 1;
  kernels::BitConvWeights bits;      // ternary-activation layers
  kernels::Int8Panels int8;          // FP-activation ternary layers
  std::vector<std::vector<int>> plus, minus;  // exact fp32 path: (kh, kw, c) indices of +1 / -1 codes per row
  bool direct = false;               // FP first layer run by kernels::directConv (equal to LibTorch's, probed)
  kernels::DirectConvWeights directW;
  int K() const { return kernel * kernel * inC; }
};

// Whether kernels::directConv gives LibTorch's torch::conv2d results for this layer on this machine: both run
// on 8 seeded random images (LibTorch's blocked path, which the graph's batched eval takes) and must agree
// in every output. Summation order is what could differ, and it would show in most outputs.
bool directConvMatchesTorch(const TnnLayer& l, const CompiledLayer& c, const kernels::DirectConvWeights& w) {
  constexpr int kProbe = 8;
  std::mt19937 rng(12345);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> x(static_cast<std::size_t>(kProbe) * c.inC * c.inH * c.inW);
  for (auto& v : x) v = g(rng);
  const auto opts = torch::TensorOptions().dtype(torch::kFloat32);
  const auto xt = torch::from_blob(x.data(), {kProbe, c.inC, c.inH, c.inW}, opts);
  const auto wt = torch::from_blob(const_cast<float*>(l.weights.data()), {l.outC, c.inC, l.kernel, l.kernel}, opts);
  const auto want = torch::conv2d(xt, wt, {}, {l.stride, l.stride}, {l.pad, l.pad}).permute({0, 2, 3, 1}).contiguous();
  std::vector<float> got(static_cast<std::size_t>(want.numel()));
  kernels::directConv(x.data(), kProbe, c.inH, c.inW, w, got.data());
  const float* pw = want.data_ptr<float>();
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!(got[i] == pw[i])) return false;
  return true;
}

struct Engine::Plan {
  std::vector<CompiledLayer> layers;
  std::vector<FloatValue> fvals;
  std::vector<BitsValue> bvals;
  std::vector<Step> steps;
  std::vector<kernels::IntegerCodes> integerCodes;
  int logits = -1;  // float value of the output
  int imagesPerPass = 1;  // images run through the whole network together (cache-sized float maps)
  int minPixels = 1;      // smallest output map (pixels per image) of a ternary layer
  // Physical buffers, assigned by liveness at plan time, sized per batch at run time.
  std::vector<int> fbuf, bbuf;  // value -> buffer
  std::vector<kernels::AlignedVec<float>> floats;
  std::vector<kernels::BitMap> maps;
  std::vector<std::int32_t> acc;  // int8 path scratch
  kernels::Int8Rows int8Rows;
  std::vector<float> perImage, fp32Rows;
  std::map<int, std::vector<std::int32_t>> captured;
  std::vector<std::pair<std::string, double>> profile;
  std::map<std::string, double> phase;
};

namespace {

// Builds the plan from the validated program: a peephole pass fuses each conv with the activation,
// residual add and activation after it, and looks ahead to decide whether its output must exist as
// floats (saved for a shortcut, pooled, a float or int8 layer, the logits) and/or as the next
// ternary-activation layer's codes.
class Planner {
 public:
  Planner(const TnnModel& m, Engine::Plan& p, bool fuse) : m_(m), p_(p), fuse_(fuse) {}

  void build() {
    const auto inputs = validateProgram(m_);
    p_.layers.resize(m_.layers.size());
    for (std::size_t i = 0; i < m_.layers.size(); ++i) compile(static_cast<int>(i), inputs[i]);
    cur_ = newFloat({m_.inC, m_.inH, m_.inW});  // value 0: the NCHW input
    const auto& prog = m_.program;
    for (std::size_t i = 0; i < prog.size(); ++i) {
      const auto& op = prog[i];
      switch (op.op) {
        case OpKind::Conv: i = conv(i); break;
        case OpKind::ShortcutConv: {
          const int saved = stack_.back();
          Step s = layerStep(op.layer, saved, -1);
          s.outF = newFloat(outShape(op.layer));
          p_.steps.push_back(s);
          stack_.back() = s.outF;
          break;
        }
        case OpKind::Act: {
          Step s;
          s.kind = StepKind::Activation;
          s.name = std::string("act ") + actKindName(op.act);
          s.inF = nhwc(floatOf());
          s.act1 = op.act, s.act1Index = op.actIndex;
          s.outF = newFloat(p_.fvals[s.inF]);
          p_.steps.push_back(s);
          setCur(s.outF);
          break;
        }
        case OpKind::MaxPool:
          if (pendingPool_ >= 0) {  // the layer before wrote the next layer's codes unpooled: pool them
            Step s;
            s.kind = StepKind::BitMaxPool;
            s.name = "maxpool (codes)";
            s.k = op.k;
            s.inB = curBits_;
            s.outB = newBits(pendingPool_);
            const auto &in = p_.bvals[s.inB], &out = p_.bvals[s.outB];
            if (out.h != in.h / op.k || out.w != in.w / op.k || out.c != in.c)
              throw std::logic_error("engine plan: pooled codes do not match " + m_.layers[pendingPool_].name);
            p_.steps.push_back(s);
            setCur(-1, s.outB, pendingPool_);
            pendingPool_ = -1;
            break;
          }
          [[fallthrough]];
        case OpKind::Gap: {
          Step s;
          s.kind = op.op == OpKind::MaxPool ? StepKind::MaxPool : StepKind::Gap;
          s.name = opKindName(op.op);
          s.k = op.k;
          s.inF = nhwc(floatOf());
          FloatValue v = p_.fvals[s.inF];
          if (op.op == OpKind::MaxPool) v.h /= op.k, v.w /= op.k;
          else v.h = v.w = 1;
          s.outF = newFloat(v);
          p_.steps.push_back(s);
          setCur(s.outF);
          break;
        }
        case OpKind::Flatten: break;  // NHWC map read as (h, w, c) features; layers are compiled for it
        case OpKind::Save: stack_.push_back(nhwc(floatOf())); break;
        case OpKind::AddShortcutA: throw std::invalid_argument("add_shortcut_a must follow a conv");
      }
    }
    p_.logits = nhwc(floatOf());
    assignBuffers();
    choosePassSize();
  }

 private:
  FloatValue outShape(int layer) const {
    const auto& c = p_.layers[layer];
    return {c.l->outC, c.outH, c.outW};
  }

  void compile(int index, const LayerInput& in) {
    CompiledLayer& c = p_.layers[index];
    const TnnLayer& l = m_.layers[index];
    c.l = &l;
    c.inC = in.c, c.inH = in.h, c.inW = in.w;
    if (l.kind == "linear") {
      c.kernel = in.h, c.stride = 1, c.pad = 0;
    } else {
      c.kernel = l.kernel, c.stride = l.stride, c.pad = l.pad;
    }
    c.outH = (in.h + 2 * c.pad - c.kernel) / c.stride + 1;
    c.outW = (in.w + 2 * c.pad - c.kernel) / c.stride + 1;
    if (!l.ternary()) {
      if (l.kind != "linear" && index == 0 && c.inC <= 4 && fuse_) {
        auto w = kernels::packDirectConvWeights(l.weights.data(), l.outC, c.inC, l.kernel, l.stride, l.pad);
        if (directConvMatchesTorch(l, c, w)) c.direct = true, c.directW = std::move(w);
      }
      return;
    }
    if (bitsInput(l)) {
      c.bits = kernels::packBitConvWeights(l.codes.data(), l.planes, l.outC, c.inC, c.kernel, c.stride, c.pad,
                                           l.mode == LayerMode::TernaryHalfAct);
      return;
    }
    const auto codesK = codesKhKwC(l, c.inC, c.kernel);
    const int K = c.K(), rows = l.planes * l.outC;
    c.int8 = kernels::packInt8Panels(codesK.data(), rows, K);
    c.plus.resize(rows), c.minus.resize(rows);
    for (int n = 0; n < rows; ++n)
      for (int k = 0; k < K; ++k) {
        const int v = codesK[static_cast<std::size_t>(n) * K + k];
        if (v > 0) c.plus[n].push_back(k);
        if (v < 0) c.minus[n].push_back(k);
      }
  }

  int newFloat(FloatValue v) {
    p_.fvals.push_back(v);
    return static_cast<int>(p_.fvals.size()) - 1;
  }
  int newBits(int layer) {
    const auto& c = p_.layers[layer];
    BitsValue b;
    b.c = c.inC, b.h = c.inH, b.w = c.inW, b.pad = c.pad;
    b.border = c.l->mode == LayerMode::TernaryHalfAct ? kernels::BitBorder::MinusOne : kernels::BitBorder::Zero;
    b.thr = {c.l->thrNeg, c.l->thrPos};
    p_.bvals.push_back(b);
    return static_cast<int>(p_.bvals.size()) - 1;
  }
  // Codes of layer `consumer` at the full output map of `producer`, before a max pool (no border).
  int unpooledBits(int producer, int consumer) {
    const int v = newBits(consumer);
    const FloatValue o = outShape(producer);
    auto& b = p_.bvals[v];
    b.c = o.c, b.h = o.h, b.w = o.w, b.pad = 0;
    return v;
  }
  void setCur(int f, int b = -1, int bLayer = -1) { cur_ = f, curBits_ = b, curBitsLayer_ = bLayer; }
  int floatOf() const {
    if (cur_ < 0) throw std::logic_error("engine plan: a value is needed as floats but was not kept");
    return cur_;
  }
  // The input image is NCHW; everything else NHWC (the same memory when C = 1).
  int nhwc(int f) {
    if (f != 0 || m_.inC == 1) return f;
    if (nhwcInput_ < 0) {
      Step s;
      s.kind = StepKind::ToNhwc;
      s.name = "input to NHWC";
      s.inF = 0;
      s.outF = newFloat(p_.fvals[0]);
      p_.steps.push_back(s);
      nhwcInput_ = s.outF;
    }
    return nhwcInput_;
  }

  // A layer step reading float value f (or bits b when they are this layer's codes).
  Step layerStep(int layer, int f, int b) {
    const auto& c = p_.layers[layer];
    Step s;
    s.kind = StepKind::Layer;
    s.layer = layer;
    s.name = c.l->name;
    if (bitsInput(*c.l)) {
      if (b < 0) {
        Step q;
        q.kind = StepKind::Quantize;
        q.name = "quantize " + c.l->name;
        q.inF = nhwc(f);
        q.outB = newBits(layer);
        p_.steps.push_back(q);
        b = q.outB;
      }
      s.inB = b;
    } else {
      s.inF = c.l->mode == LayerMode::Float ? f : nhwc(f);
    }
    return s;
  }

  // What the program does next with the value produced before step j: keep floats, and/or codes of a layer —
  // with poolK > 0, that layer's codes before a k x k max pool (codes pool exactly, see kernels::maxPoolBits).
  void needs(std::size_t j, bool& needFloat, int& bitsLayer, int& poolK) const {
    needFloat = false, bitsLayer = -1, poolK = 0;
    for (; j < m_.program.size(); ++j) {
      const auto& op = m_.program[j];
      if (op.op == OpKind::Flatten || op.op == OpKind::ShortcutConv) continue;
      if (op.op == OpKind::MaxPool && fuse_) {
        std::size_t t = j + 1;
        while (t < m_.program.size() && m_.program[t].op == OpKind::Flatten) ++t;
        if (t < m_.program.size() && m_.program[t].op == OpKind::Conv && bitsInput(m_.layers[m_.program[t].layer])) {
          bitsLayer = m_.program[t].layer, poolK = op.k;
          return;
        }
        needFloat = true;
        return;
      }
      if (op.op == OpKind::Save) {
        needFloat = true;
        continue;
      }
      if (op.op == OpKind::Conv && bitsInput(m_.layers[op.layer]) && fuse_) {
        bitsLayer = op.layer;
        return;
      }
      needFloat = true;
      return;
    }
    needFloat = true;  // the logits
  }

  std::size_t conv(std::size_t i) {
    const auto& prog = m_.program;
    const TnnOp& op = prog[i];
    Step s = layerStep(op.layer, cur_, curBitsLayer_ == op.layer ? curBits_ : -1);
    s.act1 = op.act, s.act1Index = op.actIndex;
    std::size_t j = i + 1;
    if (j < prog.size() && prog[j].op == OpKind::AddShortcutA) {
      s.resF = stack_.back();
      stack_.pop_back();
      s.resStride = prog[j].stride, s.resOffset = prog[j].padLo;
      ++j;
      if (j < prog.size() && prog[j].op == OpKind::Act) s.act2 = prog[j].act, s.act2Index = prog[j].actIndex, ++j;
    } else if (j < prog.size() && prog[j].op == OpKind::Act && s.act1 == ActKind::None) {
      s.act1 = prog[j].act, s.act1Index = prog[j].actIndex, ++j;
    }
    bool needFloat = false;
    int bitsLayer = -1, poolK = 0;
    needs(j, needFloat, bitsLayer, poolK);
    if (needFloat) s.outF = newFloat(outShape(op.layer));
    if (bitsLayer >= 0) s.outB = poolK > 0 ? unpooledBits(op.layer, bitsLayer) : newBits(bitsLayer);
    solveIntegerCodes(s);
    p_.steps.push_back(s);
    setCur(s.outF, s.outB, poolK > 0 ? -1 : bitsLayer);
    pendingPool_ = poolK > 0 ? bitsLayer : -1;
    return j - 1;
  }

  // A ternary layer that only writes the next layer's codes compares integer sums with per-channel
  // thresholds instead of running the float epilogue (same codes: kernels::integerCodesFor).
  void solveIntegerCodes(Step& s) {
    const auto& c = p_.layers[s.layer];
    if (!bitsInput(*c.l) || s.outB < 0 || s.outF >= 0 || s.resF >= 0) return;
    kernels::LayerEpilogue e;
    e.scale = c.l->scale.data(), e.bias = c.l->bias.data(), e.planes = c.l->planes;
    e.act1 = epilogueAct(m_, s.act1, s.act1Index);
    e.act2 = epilogueAct(m_, s.act2, s.act2Index);
    e.next = p_.bvals[s.outB].thr;
    const std::int32_t K = 2 * c.K();  // |Σ x·w| <= 2K for x in {0,1,2}
    kernels::IntegerCodes codes;
    if (!kernels::integerCodesFor(e, c.l->outC, -K, K, codes)) return;
    p_.integerCodes.push_back(std::move(codes));
    s.integerCodes = static_cast<int>(p_.integerCodes.size()) - 1;
  }

  // Liveness: a buffer is reused once the last step reading its value is done.
  void assignBuffers() {
    const int nf = static_cast<int>(p_.fvals.size()), nb = static_cast<int>(p_.bvals.size());
    std::vector<int> lastF(nf, -1), lastB(nb, -1);
    for (int i = 0; i < static_cast<int>(p_.steps.size()); ++i) {
      const auto& s = p_.steps[i];
      for (int v : {s.inF, s.resF})
        if (v >= 0) lastF[v] = i;
      if (s.inB >= 0) lastB[s.inB] = i;
    }
    lastF[p_.logits] = static_cast<int>(p_.steps.size());
    p_.fbuf.assign(nf, -1), p_.bbuf.assign(nb, -1);
    std::vector<int> freeF, freeB;
    int countF = 0, countB = 0;
    for (int i = 0; i < static_cast<int>(p_.steps.size()); ++i) {
      const auto& s = p_.steps[i];
      int inPlace = -1;  // a residual read for the last time, same shape as the output: written over in place
      if (s.outF >= 0 && s.resF > 0 && lastF[s.resF] == i && s.resStride == 1 && s.resOffset == 0) {
        const auto &r = p_.fvals[s.resF], &o = p_.fvals[s.outF];
        if (r.c == o.c && r.h == o.h && r.w == o.w) inPlace = s.resF;
      }
      if (inPlace >= 0) {
        p_.fbuf[s.outF] = p_.fbuf[inPlace];
      } else if (s.outF >= 0) {
        if (freeF.empty()) freeF.push_back(countF++);
        p_.fbuf[s.outF] = freeF.back();
        freeF.pop_back();
      }
      if (s.outB >= 0) {
        if (freeB.empty()) freeB.push_back(countB++);
        p_.bbuf[s.outB] = freeB.back();
        freeB.pop_back();
      }
      for (int v = 1; v < nf; ++v)
        if (lastF[v] == i && p_.fbuf[v] >= 0 && v != inPlace) freeF.push_back(p_.fbuf[v]);
      for (int v = 0; v < nb; ++v)
        if (lastB[v] == i && p_.bbuf[v] >= 0) freeB.push_back(p_.bbuf[v]);
    }
    p_.floats.resize(countF);
    p_.maps.resize(countB);
  }

  // Pass size: images that go through the network together (Engine::run).
  void choosePassSize() {
    // About 512 KiB for the largest float map of a pass keeps a layer's residual and output in L2.
    std::size_t largest = 1;
    for (std::size_t v = 1; v < p_.fvals.size(); ++v)
      largest = std::max(largest, static_cast<std::size_t>(p_.fvals[v].c) * p_.fvals[v].h * p_.fvals[v].w * sizeof(float));
    for (const auto& c : p_.layers)  // FP layers' own float outputs, even where only their codes are kept
      if (!c.l->ternary()) largest = std::max(largest, static_cast<std::size_t>(c.l->outC) * c.outH * c.outW * sizeof(float));
    p_.imagesPerPass = static_cast<int>(std::clamp<std::size_t>((512u << 10) / largest, 1, 64));
    int smallest = 0;
    for (const auto& c : p_.layers)
      if (c.l->ternary() && (smallest == 0 || c.outH * c.outW < smallest)) smallest = c.outH * c.outW;
    p_.minPixels = std::max(1, smallest);
  }

  const TnnModel& m_;
  Engine::Plan& p_;
  bool fuse_;
  int cur_ = -1, curBits_ = -1, curBitsLayer_ = -1, nhwcInput_ = -1;
  int pendingPool_ = -1;  // layer whose codes the current bits are, still to be max-pooled
  std::vector<int> stack_;
};

}  // namespace

Engine::Engine(TnnModel model) : model_(std::move(model)), plan_(std::make_unique<Plan>()) {
  Planner(model_, *plan_, true).build();
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

std::size_t Engine::activationBytes() const {
  std::size_t b = 0;
  const Plan& p = *last_;
  for (const auto& f : p.floats) b += f.capacity() * sizeof(float);
  for (const auto& m : p.maps) b += m.m.capacity() + m.s.capacity();
  b += p.acc.capacity() * sizeof(std::int32_t) + p.int8Rows.data.capacity() + p.fp32Rows.capacity() * sizeof(float);
  return b;
}

namespace {

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
  Runner(const TnnModel& m, Engine::Plan& p, const float* images, int n, const EngineOptions& o)
      : m_(m), p_(p), images_(images), n_(n), o_(o), gopts_(kernels::GemmOptions().threads(o.threads)) {}

  float* fdata(int v) {
    if (v == 0) return const_cast<float*>(images_);
    return p_.floats[p_.fbuf[v]].data();
  }
  void sizeFloat(int v) {
    const auto& f = p_.fvals[v];
    auto& buf = p_.floats[p_.fbuf[v]];
    const std::size_t need = static_cast<std::size_t>(n_) * f.c * f.h * f.w;
    if (buf.size() < need) buf.resize(need);
  }
  kernels::BitMap& bits(int v) { return p_.maps[p_.bbuf[v]]; }
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
      p_.fp32Rows.resize(static_cast<std::size_t>(n_) * c.outH * c.outW * l.outC);
      kernels::directConv(fdata(0), n_, c.inH, c.inW, c.directW, p_.fp32Rows.data(), gopts_);
      return kernels::floatEpilogue(p_.fp32Rows.data(), n_, c.outH, c.outW, l.outC, e, gopts_);
    }
    at::Tensor x;
    if (s.inF == 0)
      x = torch::from_blob(fdata(0), {n_, c.inC, c.inH, c.inW}, opts);
    else
      x = torch::from_blob(fdata(s.inF), {n_, c.inC, c.inH, c.inW},
                           {static_cast<std::int64_t>(c.inH) * c.inW * c.inC, 1, static_cast<std::int64_t>(c.inW) * c.inC, c.inC},
                           opts);
    at::Tensor y;
    if (l.kind == "linear") {
      auto wt = torch::from_blob(const_cast<float*>(l.weights.data()), {l.outC, l.inC}, opts);
      y = torch::mm(x.contiguous().reshape({n_, -1}), wt.t()).contiguous();  // NCHW flatten, as the graph
    } else {
      auto wt = torch::from_blob(const_cast<float*>(l.weights.data()), {l.outC, l.inC, l.kernel, l.kernel}, opts);
      const auto nchw = torch::conv2d(x, wt, {}, {l.stride, l.stride}, {l.pad, l.pad}).contiguous();
      const std::size_t hw = static_cast<std::size_t>(c.outH) * c.outW;
      p_.fp32Rows.resize(static_cast<std::size_t>(n_) * l.outC * hw);
      nchwToNhwc(nchw.data_ptr<float>(), p_.fp32Rows.data(), n_, l.outC, hw);
      return kernels::floatEpilogue(p_.fp32Rows.data(), n_, c.outH, c.outW, l.outC, e, gopts_);
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
    auto& rows = p_.int8Rows;
    rows.rows = M, rows.cols = K, rows.groups = (K + 3) / 4, rows.paddedRows = kernels::alignRows(M);
    rows.data.assign(static_cast<std::size_t>(rows.paddedRows) * rows.stride(), 128);
    p_.perImage.assign(n_, 1.0f);
    const float* x = fdata(s.inF);
    const std::size_t imgSize = static_cast<std::size_t>(C) * c.inH * c.inW;
    kernels::parallelFor(n_, o_.threads, [&](std::size_t b0, std::size_t b1) {
      std::vector<std::uint8_t> q(static_cast<std::size_t>(hp) * wp * C);
      for (std::size_t b = b0; b < b1; ++b) {
        const float* img = x + b * imgSize;
        float mx = 0;
        for (std::size_t i = 0; i < imgSize; ++i) mx = std::max(mx, std::fabs(img[i]));
        const float sc = mx > 0 ? mx / 127.0f : 1.0f;
        p_.perImage[b] = sc;
        const float inv = 1.0f / sc;
        std::fill(q.begin(), q.end(), std::uint8_t{128});
        for (int iy = 0; iy < c.inH; ++iy) {
          const float* src = img + static_cast<std::size_t>(iy) * c.inW * C;
          std::uint8_t* dst = q.data() + (static_cast<std::size_t>(iy + pad) * wp + pad) * C;
          for (int i = 0; i < c.inW * C; ++i) dst[i] = static_cast<std::uint8_t>(std::nearbyint(src[i] * inv) + 128.0f);
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
    p_.acc.resize(static_cast<std::size_t>(M) * N);
    kernels::int8Gemm(rows, c.int8, p_.acc.data(), gopts_);
    kernels::LayerEpilogue e = eIn;
    e.perImage = p_.perImage.data();
    kernels::intEpilogue(p_.acc.data(), n_, c.outH, c.outW, l.outC, e, gopts_);
  }

  // FP activations x ternary weights, exact up to fp32 summation order: Σ_{w=+1} x − Σ_{w=−1} x per output.
  void fp32Layer(const Step& s, const CompiledLayer& c, const kernels::LayerEpilogue& e) {
    const TnnLayer& l = *c.l;
    const int k = c.kernel, C = c.inC, K = c.K(), N = l.planes * l.outC, P = c.outH * c.outW;
    p_.fp32Rows.resize(static_cast<std::size_t>(n_) * P * N);
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
          float* out = p_.fp32Rows.data() + (b * P + p) * static_cast<std::size_t>(N);
          for (int n = 0; n < N; ++n) {
            float sum = 0;
            for (int i : c.plus[n]) sum += row[i];
            for (int i : c.minus[n]) sum -= row[i];
            out[n] = sum;
          }
        }
    });
    kernels::floatEpilogue(p_.fp32Rows.data(), n_, c.outH, c.outW, l.outC, e, gopts_);
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
  const float* images_;
  int n_;
  const EngineOptions& o_;
  kernels::GemmOptions gopts_;
};

}  // namespace

std::vector<float> Engine::run(const float* images, int n, const EngineOptions& o) {
  if (n <= 0) return {};
  if (!o.fuse && !unfused_) {  // every layer writes floats and each ternary layer quantizes its own input
    unfused_ = std::make_unique<Plan>();
    Planner(model_, *unfused_, false).build();
  }
  Plan& p = o.fuse ? *plan_ : *unfused_;
  last_ = &p;
  p.captured.clear();
  if (o.profile && p.profile.size() != p.steps.size()) {
    p.profile.clear();
    for (const auto& s : p.steps) p.profile.emplace_back(s.name, 0.0);
  }
  // Images go through the whole network a few at a time, so that a layer's float maps (the residual
  // stream) stay in cache between layers; the ternary layers' codes do not depend on the pass size (LibTorch's
  // FP edge layers round slightly differently with it). Captured accumulators need the whole batch in one pass.
  // Each thread works on its own rows, in its own core's cache, so a pass holds imagesPerPass images per
  // thread; and every layer of a pass needs rows to share evenly: eight 64-row blocks per thread in the layer
  // with the smallest output map (blocks are split statically, so a few blocks leave one thread idle).
  const int threads = std::max(1, o.threads);
  const int shared = threads > 1 ? (threads * 8 * 64 + p.minPixels - 1) / p.minPixels : 1;
  const int group = o.captureAccumulators ? n : std::min(n, std::max(p.imagesPerPass * threads, shared));
  const std::size_t perImage = static_cast<std::size_t>(model_.inC) * model_.inH * model_.inW;
  std::vector<float> logits(static_cast<std::size_t>(n) * model_.classes);
  for (int g0 = 0; g0 < n; g0 += group) {
    const int g = std::min(group, n - g0);
    Runner r(model_, p, images + g0 * perImage, g, o);
    for (std::size_t i = 0; i < p.steps.size(); ++i) {
      if (!o.profile) {
        r.step(p.steps[i]);
        continue;
      }
      const auto t0 = std::chrono::steady_clock::now();
      r.step(p.steps[i]);
      const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      p.profile[i].second += dt;
      const auto phase = r.phaseOf(p.steps[i]);
      if (!phase.empty()) p.phase[phase] += dt;
    }
    if (o.profile) {
      p.phase["gather"] += r.times.gather;
      p.phase["gemm"] += r.times.gemm;
      p.phase["epilogue"] += r.times.epilogue;
    }
    const float* out = r.fdata(p.logits);
    std::copy(out, out + static_cast<std::size_t>(g) * model_.classes, logits.begin() + g0 * model_.classes);
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
