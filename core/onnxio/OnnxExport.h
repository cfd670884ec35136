#pragma once
// A TernLab network as an ONNX model in standard operators only, so that ONNX Runtime (or any other ONNX
// consumer) runs what TernLab trained. Written from the packed engine's model (core/engine/TnnModel.h):
// the same folded layers, thresholds and program, so the two agree by construction (docs/ARCHITECTURE.md,
// "ONNX export").
#include <cstdint>
#include <string>
#include <vector>

#include "engine/TnnModel.h"

namespace ternlab::onnxio {

// What the exported graph takes as input. With mean/std (one value per channel) the graph starts with
// (pixels − mean) / std, so it takes images scaled to [0, 1]; without, it takes normalised images as the
// engine does.
struct OnnxExportOptions {
  std::vector<float> mean, std;
  std::int64_t opset = 13;
  // Layers with ternary weights and FP activations (TTQ, weights-only schemes): false keeps the activations in
  // fp32, as the training graph; true quantizes them per image to int8 (s = max|x| / 127), as the packed engine.
  bool int8Activations = false;
  OnnxExportOptions& normalisation(std::vector<float> m, std::vector<float> s) {
    mean = std::move(m), std = std::move(s);
    return *this;
  }
};

// The serialised ModelProto, passed through ONNX's own checker (onnx::checker::check_model). Throws
// std::invalid_argument naming the layer or op that has no ONNX form, or the checker's message.
std::string onnxModelBytes(const engine::TnnModel& model, const OnnxExportOptions& options = OnnxExportOptions());

// What exportOnnx wrote.
struct OnnxExportResult {
  std::int64_t runId = 0, stageId = 0;
  std::string path;
  std::size_t bytes = 0;
  int ternaryLayers = 0;
};

// exportOnnx(runId, dbPath, outPath): the run's network (last stage of a pipeline, its final checkpoint)
// built as for the .tnn export, with the input normalisation of its dataset, written atomically to outPath
// and recorded as an "onnx" artefact of the run.
OnnxExportResult exportOnnx(std::int64_t runId, const std::string& dbPath, const std::string& outPath,
                            const OnnxExportOptions& options = OnnxExportOptions());

}  // namespace ternlab::onnxio
