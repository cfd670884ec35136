#pragma once
// The training graph's eval forward of a stored run on a dataset split, kept as arrays: the reference that
// every exported form of the network (.tnn, ONNX, a user's own code) is checked against.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace ternlab::report {

struct PredictOptions {
  std::string split = "test";  // test | train
  std::int64_t limit = 0;      // first N images; 0 = the whole split
  std::int64_t batch = 500;
};

// pixels: the images scaled to [0, 1] (the ONNX export's input); inputs: normalised as in training (the .tnn's
// input); labels, logits and predicted (argmax) of the eval forward.
struct GraphPredictions {
  std::int64_t runId = 0, stageId = 0;
  at::Tensor pixels, inputs, labels, logits, predicted;
  double accuracy = 0;  // %
};

// Throws std::runtime_error naming the run, its checkpoint or dataset when one cannot be found.
GraphPredictions predictRun(const std::string& dbPath, std::int64_t runId, const PredictOptions& options);

// An .npz with members pixels, inputs, labels, logits, predicted (numpy's np.load reads it).
void writePredictions(const GraphPredictions& p, const std::string& path);

}  // namespace ternlab::report
