#pragma once
// Runs a loaded .tnn network on float images with the ternary kernels (no training graph).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/EngineLayer.h"
#include "engine/EngineOptions.h"
#include "engine/FeatureMap.h"
#include "engine/TnnModel.h"

namespace ternlab::engine {

// Interprets the model's program over packed layers; exists so inference needs only the .tnn.
class Engine {
 public:
  explicit Engine(TnnModel model);
  // images: n x inC x inH x inW floats, normalised as in training. Returns n x classes logits.
  std::vector<float> run(const float* images, int n, const EngineOptions& o = {});
  // argmax of run().
  std::vector<int> predict(const float* images, int n, const EngineOptions& o = {});
  // After a run with captureAccumulators: layer index -> accumulators, rows (image, oh, ow) x outC.
  const std::map<int, std::vector<std::int32_t>>& accumulators() const { return acc_; }
  const TnnModel& model() const { return model_; }
  // Seconds per program step (op name, layer name) summed over the runs with profile on.
  const std::vector<std::pair<std::string, double>>& profile() const { return profile_; }

 private:
  // conv a (ReLU) feeding conv b, both signed ternary-activation convs: run as one packed pair.
  bool fusable(const TnnOp& a, const TnnOp& b) const;

  TnnModel model_;
  std::vector<std::unique_ptr<EngineLayer>> layers_;
  std::map<int, std::vector<std::int32_t>> acc_;
  std::vector<std::pair<std::string, double>> profile_;
};

}  // namespace ternlab::engine
