#pragma once
// In-memory form of a .tnn file: what the engine needs to run a ternary network without LibTorch's
// training graph (folded affines, ternary codes, activation thresholds, FP edge layers, a program).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ternlab::engine {

// How a layer computes: FP weights in fp32, or ternary codes against int8 / ternary / {0,1,2} inputs.
enum class LayerMode { Float, TernaryInt8Act, TernarySignedAct, TernaryHalfAct };
const char* layerModeName(LayerMode m);
LayerMode parseLayerMode(const std::string& name);  // throws std::invalid_argument

// One conv or linear layer with its BatchNorm and quantizer scales folded into a per-channel affine:
// y[n] = scale[n] * acc[n] + bias[n] (int8 path: scale[n] * s_image * acc[n] + bias[n]).
// Exists so the file format and the engine share one plain description of a layer.
struct TnnLayer {
  std::string name;
  std::string kind = "conv";  // conv | linear (linear = 1x1 conv on a 1x1 map, inC = in features)
  LayerMode mode = LayerMode::Float;
  int inC = 0, outC = 0, kernel = 1, stride = 1, pad = 0;
  std::vector<std::int8_t> codes;  // ternary modes: OIHW codes in {-1,0,1}
  std::vector<float> weights;      // Float mode: OIHW fp32 weights
  std::vector<float> scale, bias;  // per output channel, folded
  float thrNeg = 0, thrPos = 0;    // ternary-act modes: input code thresholds (x < neg: -1/0, x > pos: +1/2)
  double weightScale = 1, actScale = 1;  // alpha_w, alpha_a (informative; already inside scale)

  std::size_t weightCount() const { return static_cast<std::size_t>(outC) * inC * kernel * kernel; }
  bool ternary() const { return mode != LayerMode::Float; }
};

// One step of the network's program; ops: conv (layer, relu), maxpool (k), relu, flatten,
// save (push the current tensor), add_shortcut_a (pop, subsample by stride, zero-pad channels padLo/padHi,
// add), gap (global average pool). Exists so LeNet and ResNet share one interpreter.
struct TnnOp {
  std::string op;
  int layer = -1;
  bool relu = false;
  int k = 2;
  int stride = 1;
  int padLo = 0, padHi = 0;
};

// A whole network: input geometry, layers, program and a free-form manifest (run id, uuid, db, arch...).
struct TnnModel {
  int inC = 1, inH = 28, inW = 28, classes = 10;
  std::vector<TnnLayer> layers;
  std::vector<TnnOp> program;
  nlohmann::json info = nlohmann::json::object();
};

}  // namespace ternlab::engine
