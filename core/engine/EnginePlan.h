#pragma once
// The engine's compiled program, shared by the planner that builds it (EnginePlanner.cpp) and the runner
// that executes it (Engine.cpp).
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/Engine.h"
#include "kernels/BitConv.h"
#include "kernels/DirectConv.h"
#include "kernels/PackedInt8.h"

namespace ternlab::engine {
namespace detail {

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

inline kernels::EpilogueAct epilogueAct(const TnnModel& m, ActKind kind, int index) {
  kernels::EpilogueAct a;
  if (kind == ActKind::Relu) a.kind = kernels::ActKind::Relu;
  if (kind == ActKind::Rprelu) {
    const auto& r = m.rprelu.at(index);
    a.kind = kernels::ActKind::Rprelu;
    a.shiftIn = r.shiftIn.data(), a.slope = r.slope.data(), a.shiftOut = r.shiftOut.data();
  }
  return a;
}

inline bool bitsInput(const TnnLayer& l) { return l.mode == LayerMode::TernarySignedAct || l.mode == LayerMode::TernaryHalfAct; }

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

// Builds `p` from the model's validated program (fuse = false: floats between all layers, a cross-check).
void buildPlan(const TnnModel& m, Engine::Plan& p, bool fuse);

}  // namespace detail

// The buffers one pass of images runs in. A plan holds one per worker thread, so that workers can run whole
// passes side by side over the same program.
struct Engine::Workspace {
  std::vector<kernels::AlignedVec<float>> floats;  // by physical float buffer (Plan::fbuf)
  std::vector<kernels::BitMap> maps;               // by physical bit-map buffer (Plan::bbuf)
  std::vector<std::int32_t> acc;  // int8 path scratch
  kernels::Int8Rows int8Rows;
  std::vector<float> perImage, fp32Rows;
};

struct Engine::Plan {
  std::vector<detail::CompiledLayer> layers;
  std::vector<detail::FloatValue> fvals;
  std::vector<detail::BitsValue> bvals;
  std::vector<detail::Step> steps;
  std::vector<kernels::IntegerCodes> integerCodes;
  int logits = -1;  // float value of the output
  int imagesPerPass = 1;  // images run through the whole network together (cache-sized float maps)
  int minPixels = 1;      // smallest output map (pixels per image) of a ternary layer
  // Physical buffers, assigned by liveness at plan time (value -> buffer), sized per batch at run time.
  std::vector<int> fbuf, bbuf;
  int floatBuffers = 0, bitBuffers = 0;
  std::vector<Workspace> workspaces;  // one per worker thread run so far
  int lastWorkers = 1;
  std::map<int, std::vector<std::int32_t>> captured;
  std::vector<std::pair<std::string, double>> profile;
  std::map<std::string, double> phase;
};

}  // namespace ternlab::engine
