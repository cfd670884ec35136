#pragma once
// Runs a loaded .tnn network on float images with the ternary kernels (no training graph).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/EngineOptions.h"
#include "engine/TnnModel.h"

namespace ternlab::engine {

// Time of one kind of work summed over the profiled runs: wall seconds, except the phases inside a
// ternary layer whose rows several threads share (CPU seconds of those threads). Where worker threads run
// whole passes side by side, each figure is the workers' mean.
struct PhaseTime {
  std::string phase;  // quantize/pack, gather, gemm, epilogue, float layers, int8 layers, pool/other
  double seconds = 0;
};

// Plans the program once (buffers, fused epilogues, bit maps) and runs it; exists so inference needs
// only the .tnn. Not thread-safe: one run at a time per Engine.
class Engine {
 public:
  explicit Engine(TnnModel model);  // throws std::invalid_argument for a malformed program
  ~Engine();
  Engine(Engine&&) noexcept;
  // images: n x inC x inH x inW floats (NCHW), normalised as in training. Returns n x classes logits.
  std::vector<float> run(const float* images, int n, const EngineOptions& o = {});
  // argmax of run().
  std::vector<int> predict(const float* images, int n, const EngineOptions& o = {});
  // After a run with captureAccumulators: layer index -> accumulators, rows (image, oh, ow) x planes·outC.
  const std::map<int, std::vector<std::int32_t>>& accumulators() const;
  const TnnModel& model() const { return model_; }
  // Wall seconds per plan step (step name) summed over the runs with profile on.
  const std::vector<std::pair<std::string, double>>& profile() const;
  // The same time by kind of work.
  std::vector<PhaseTime> phases() const;
  // MACs per image of the ternary-activation layers (the bit kernels' work), all weight planes.
  double ternaryMacsPerImage() const;
  // Worker threads that ran whole passes side by side in the last run (1: passes one after another).
  int lastWorkers() const;
  // Bytes of activation buffers held after the last run (maps, bit maps, scratch of the int8 path).
  std::size_t activationBytes() const;

  struct Plan;       // the compiled program (EnginePlan.h); public only so the planner and runner can name it
  struct Workspace;  // the buffers of one worker thread (EnginePlan.h)

 private:
  TnnModel model_;
  std::unique_ptr<Plan> plan_, unfused_;  // unfused_: built on the first run with fuse off
  Plan* last_ = nullptr;                  // the plan of the last run (accumulators, profile)
};

}  // namespace ternlab::engine
