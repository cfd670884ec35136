#pragma once
// Execution options of the packed engine for one batch (shared by Engine and EngineLayer).
namespace ternlab::engine {

// How to run one batch; exists so layers and the interpreter read the same switches.
struct EngineOptions {
  int threads = 1;
  bool captureAccumulators = false;  // keep the int32 accumulators of ternary-activation layers
  bool fp32Activations = false;      // FP-activation ternary layers: exact fp32 x ternary instead of int8
  bool fusePairs = true;             // conv->ReLU->conv with signed ternary activations stays packed in between
  bool profile = false;              // add each op's wall time to Engine::profile()
};

}  // namespace ternlab::engine
