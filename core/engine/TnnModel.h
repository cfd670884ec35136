#pragma once
// In-memory form of a .tnn file: what the engine needs to run a ternary network without LibTorch's
// training graph (folded affines, ternary codes, activation thresholds, FP edge layers, a program).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nn/LayerKind.h"

namespace ternlab::engine {

// How a layer computes: FP weights in fp32, or ternary codes against int8 / ternary / {0,1,2} inputs.
enum class LayerMode { Float, TernaryInt8Act, TernarySignedAct, TernaryHalfAct };
const char* layerModeName(LayerMode m);
LayerMode parseLayerMode(const std::string& name);  // throws std::invalid_argument

// One step of a network's program (docs/ARCHITECTURE.md, "The packed engine"):
//   Conv          run layer `layer`, then its activation `act`
//   MaxPool       k x k max pool, stride k
//   Act           activation `act` alone (e.g. after a residual add)
//   Flatten       (c, h, w) -> c·h·w features
//   Save          push the current tensor
//   AddShortcutA  pop, subsample by `stride`, zero-pad channels padLo/padHi, add (ResNet option A)
//   ShortcutConv  replace the top of the saved stack by layer `layer` applied to it (projection shortcut)
//   Gap           global average pool
enum class OpKind { Conv, MaxPool, Act, Flatten, Save, AddShortcutA, ShortcutConv, Gap };
const char* opKindName(OpKind k);
OpKind parseOpKind(const std::string& name);  // throws std::invalid_argument

// The nonlinearity of a Conv or Act op; RPReLU carries an index into TnnModel::rprelu.
enum class ActKind { None, Relu, Rprelu };
const char* actKindName(ActKind k);
ActKind parseActKind(const std::string& name);  // throws std::invalid_argument

// One conv or linear layer with its BatchNorm and quantizer scales folded into a per-channel affine.
// Ternary layers hold `planes` code tensors whose products are summed (1 for one scale per layer; 2 for
// TTQ's positive and negative parts; T_ex for REL's branches):
//   y[n] = Σ_p scale[p·outC + n] · acc_p[n] + bias[n]   (int8 path: scale · s_image · acc + bias).
// Exists so the file format and the engine share one plain description of a layer.
struct TnnLayer {
  std::string name;
  nn::LayerKind kind = nn::LayerKind::Conv;  // linear = 1x1 conv on a 1x1 map, inC = in features
  LayerMode mode = LayerMode::Float;
  int inC = 0, outC = 0, kernel = 1, stride = 1, pad = 0;
  int planes = 1;
  std::vector<std::int8_t> codes;  // ternary modes: planes x OIHW codes in {-1,0,1}
  std::vector<float> weights;      // Float mode: OIHW fp32 weights
  // The affine on the sums, in the training graph's eval order (kernels::LayerEpilogue):
  //   v = Σ_p scale_p·acc_p; v += preBias; v *= bnScale; v += bias    (each rounded on its own)
  // scale: planes x outC (α_p·α_a, or BatchNorm folded in where bnScale is empty), bias: outC; preBias (the
  // layer's own bias ahead of its BatchNorm) and bnScale: outC or empty.
  std::vector<float> scale, bias, preBias, bnScale;
  float thrNeg = 0, thrPos = 0;    // ternary-act modes: input code thresholds (x < neg: -1/0, x > pos: +1/2)
  double weightScale = 1, actScale = 1;  // alpha_w (of plane 0), alpha_a (informative; already inside scale)

  std::size_t weightCount() const { return static_cast<std::size_t>(outC) * inC * kernel * kernel; }
  bool ternary() const { return mode != LayerMode::Float; }
};

// Per-channel parameters of one RPReLU layer (ReActNet eq. 3): γ shiftIn, β slope, ζ shiftOut.
struct TnnRprelu {
  std::string name;
  std::vector<float> shiftIn, slope, shiftOut;
};

// One program step (see OpKind).
struct TnnOp {
  OpKind op = OpKind::Conv;
  int layer = -1;
  ActKind act = ActKind::None;
  int actIndex = -1;  // RPReLU: index into TnnModel::rprelu
  int k = 2;
  int stride = 1;
  int padLo = 0, padHi = 0;
};

// A whole network: input geometry, layers, program and a free-form manifest (run id, uuid, db, arch...).
struct TnnModel {
  int inC = 1, inH = 28, inW = 28, classes = 10;
  std::vector<TnnLayer> layers;
  std::vector<TnnRprelu> rprelu;
  std::vector<TnnOp> program;
  nlohmann::json info = nlohmann::json::object();
};

// Checks that the program is well formed for the layers (indices, channel counts, shapes, stack use) and
// returns the spatial size each layer sees; throws std::invalid_argument naming the step and the fault.
struct LayerInput {
  int c = 0, h = 0, w = 0;
};
std::vector<LayerInput> validateProgram(const TnnModel& model);
// Values in the largest map validateProgram accepts (one image): 256 MiB of floats.
inline constexpr long long kMaxMapElements = 1LL << 26;

}  // namespace ternlab::engine
