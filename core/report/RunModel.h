#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>

#include "config/ExperimentConfig.h"
#include "nn/TernaryNet.h"

namespace ternlab::report {

// A stored run brought back to life: its config (the last stage's for a pipeline), the model rebuilt with
// that config's quantization policy, its final checkpoint loaded, and one training batch to run forwards on.
struct LoadedRun {
  std::int64_t id = 0;        // the run asked for
  std::int64_t stageId = 0;   // the run whose config and checkpoint were used (last stage of a pipeline)
  config::ExperimentConfig config;
  std::shared_ptr<nn::TernaryNet> net;
  at::Tensor batch;           // the first batch_size training images
  at::Tensor mean, std;       // [1, C, 1, 1]: the input normalisation (the train split's statistics)
  std::string checkpoint;
};

// Throws std::runtime_error when the run, its checkpoint or its dataset cannot be found.
LoadedRun loadRun(const std::string& dbPath, std::int64_t id);

}  // namespace ternlab::report
