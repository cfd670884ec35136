#pragma once
// Training graph -> .tnn: captures codes, scales and thresholds from one eval forward, folds
// BatchNorm and the scales into per-channel affines, and writes the file.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

#include "config/ExperimentConfig.h"
#include "data/Dataset.h"
#include "engine/TnnModel.h"
#include "nn/TernaryNet.h"

namespace ternlab::engine {

// Builds the engine's model from a live network (put in eval mode here); `sample` is one input batch
// whose forward fixes the quantizers' thresholds and scales. Throws std::invalid_argument naming the layer
// when its weights are not codes x one scale (e.g. REL branches, TTQ's two scales) or the arch is unsupported.
TnnModel buildTnn(nn::TernaryNet& net, const config::ExperimentConfig& cfg, const at::Tensor& sample);

// What exportTnn wrote.
struct TnnExportResult {
  std::int64_t runId = 0, stageId = 0;
  std::string path;
  std::size_t bytes = 0;
  int layers = 0, ternaryLayers = 0;
  std::string activationMode;  // float (int8 path) | signed | half
};

// The run's network (last stage of a pipeline, its final checkpoint, thresholds and scales captured on its first
// training batch) as the engine's model, with the run's identity in model.info: run_id, stage_id, uuid, db,
// checkpoint, dataset, dataset_path, train_limit, input_mean and input_std (the input normalisation, one value per
// channel), exported_unix.
TnnModel buildRunTnn(std::int64_t runId, const std::string& dbPath);
// The own-data options recorded by buildRunTnn (defaults for files without them).
data::OwnDataOptions datasetOptionsOf(const TnnModel& model);
// Records a written export (kind "tnn", "onnx") as an artefact of the run's stage, by absolute path.
void recordExportArtefact(const std::string& dbPath, std::int64_t stageId, const std::string& kind,
                          const std::string& path, std::size_t bytes);

// exportTnn(runId, dbPath, outPath): rebuilds the run's model (last stage of a pipeline), loads its final
// checkpoint, captures thresholds/scales on its first training batch, writes outPath and records it as a
// "tnn" artefact of the run.
TnnExportResult exportTnn(std::int64_t runId, const std::string& dbPath, const std::string& outPath);

}  // namespace ternlab::engine
