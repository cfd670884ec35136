#pragma once
// ONNX Runtime fp32 as a baseline of the network bench: each architecture's plain fp32 network exported to ONNX
// and timed in ONNX Runtime (npm's onnxruntime-node, in a node process: median of 30 calls at batch 64, 200 at
// batch 1), batch and threads as the row, right after the row's own measurements.
#include <string>
#include <vector>

#include "engine/BenchSuite.h"

namespace ternlab::onnxio {

// Where onnxruntime-node is: $TERNLAB_ONNXRUNTIME_MODULES, else <program dir>/../onnxruntime/node_modules (the
// build tree's, installed by scripts/ternlab.sh setup). Empty when neither holds it or node is missing.
std::string findOnnxRuntimeModules();

// Fills onnxRuntimeFpImagesPerSecond of every network row; returns an empty string, or why nothing was measured.
std::string addOnnxRuntimeBaseline(std::vector<engine::BenchRow>& rows);

}  // namespace ternlab::onnxio
