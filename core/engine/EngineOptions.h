#pragma once
// Execution options of the packed engine for one batch.
namespace ternlab::engine {

// How to run one batch; exists so callers and the planner read the same switches.
struct EngineOptions {
  int threads = 1;
  bool captureAccumulators = false;  // keep the int32 accumulators of ternary-activation layers
  bool fp32Activations = false;      // FP-activation ternary layers: exact fp32 x ternary instead of int8
  bool fuse = true;                  // epilogues write the next layer's codes; false: floats, quantized apart
  bool profile = false;              // add each step's wall time to Engine::profile()
};

}  // namespace ternlab::engine
