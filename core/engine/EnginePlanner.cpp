#include "engine/EnginePlan.h"

#include <torch/torch.h>

#include <algorithm>
#include <random>
#include <stdexcept>

namespace ternlab::engine::detail {
namespace {

// Codes planes x OIHW -> planes x O x (kh, kw, c): the K order of an NHWC im2col row.
std::vector<std::int8_t> codesKhKwC(const TnnLayer& l, int inC, int k) {
  const std::size_t rows = static_cast<std::size_t>(l.planes) * l.outC, K = static_cast<std::size_t>(inC) * k * k;
  std::vector<std::int8_t> out(rows * K);
  for (std::size_t o = 0; o < rows; ++o)
    for (int c = 0; c < inC; ++c)
      for (int t = 0; t < k * k; ++t) out[o * K + static_cast<std::size_t>(t) * inC + c] = l.codes[o * K + c * k * k + t];
  return out;
}

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
    if (l.kind == nn::LayerKind::Linear) {
      c.kernel = in.h, c.stride = 1, c.pad = 0;
    } else {
      c.kernel = l.kernel, c.stride = l.stride, c.pad = l.pad;
    }
    c.outH = (in.h + 2 * c.pad - c.kernel) / c.stride + 1;
    c.outW = (in.w + 2 * c.pad - c.kernel) / c.stride + 1;
    if (!l.ternary()) {
      if (l.kind != nn::LayerKind::Linear && index == 0 && c.inC <= 4 && fuse_) {
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
    e.preBias = c.l->preBias.empty() ? nullptr : c.l->preBias.data();
    e.bnScale = c.l->bnScale.empty() ? nullptr : c.l->bnScale.data();
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
    p_.floatBuffers = countF, p_.bitBuffers = countB;
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

void buildPlan(const TnnModel& m, Engine::Plan& p, bool fuse) { Planner(m, p, fuse).build(); }

}  // namespace ternlab::engine::detail
