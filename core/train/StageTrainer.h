#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/ExperimentConfig.h"
#include "data/Dataset.h"
#include "nn/TernaryNet.h"
#include "train/ModelState.h"
#include "train/StopToken.h"
#include "train/TrainingObserver.h"

namespace ternlab::train {

// Saves the optimiser's state (momentum buffers) to a path; handed to the checkpoint sink.
using OptimizerSaver = std::function<void(const std::string& path)>;

// Where a stage sends what it measures: the runner turns these into store rows and observer calls.
struct StageSink {
  std::function<void(const StepUpdate&)> step;
  std::function<void(const EpochUpdate&)> epoch;
  std::function<void(std::int64_t step, int epoch, const std::vector<store::LayerStatRow>&)> layers;
  std::function<void(int epoch, std::int64_t step, const ModelState&, const OptimizerSaver&)> checkpoint;
};

// Where an interrupted stage picks up: the state after epochsDone epochs.
struct ResumePoint {
  int epochsDone = 0;
  std::int64_t step = 0;
  ModelState model;
  std::string optimizerPath;  // empty: fresh optimiser state
};

// A frozen teacher for knowledge distillation.
struct Teacher {
  std::shared_ptr<nn::TernaryNet> model;
  bool cacheLogits = true;  // read its logits back from the first epoch when nothing is augmented (TeacherLogits.h)
};

// How a stage ended.
struct StageResult {
  bool cancelled = false;
  double testAcc = 0, testTop5 = 0, testLoss = 0;
  std::int64_t steps = 0;
  ModelState finalState;
};

class DataParallel;

// Trains one stage of an experiment: builds the model, runs the epochs, reports through sink. With a data-parallel
// group, this process is one rank: it trains on its share of every global batch (cfg.batchSize images per rank),
// gradients are averaged over the ranks after backward, running statistics before every evaluation, and the
// test set is evaluated in shares whose counts are summed; the sink sees the global figures.
StageResult trainStage(const config::ExperimentConfig& cfg, const data::DatasetPair& data, const ModelState* init,
                       const Teacher* teacher, std::int64_t runId, const StageSink& sink, const StopToken& stop,
                       const ResumePoint* resume = nullptr, DataParallel* parallel = nullptr);

// Model built for the config's dataset geometry, with the config's quantization policy installed.
std::shared_ptr<nn::TernaryNet> buildModel(const config::ExperimentConfig& cfg, const data::Dataset& shapeOf);

// Per-layer statistics of the quantizers' last forward, as store rows.
std::vector<store::LayerStatRow> collectLayerStats(const nn::TernaryNet& net, std::int64_t step, int epoch);

// Test-set top-1 / top-5 accuracy (in %) and mean loss of a model in eval mode.
struct Evaluation {
  double top1 = 0, top5 = 0, loss = 0;
};
Evaluation evaluate(nn::TernaryNet& net, const data::Dataset& test, std::int64_t batchSize = 1000,
                    DataParallel* parallel = nullptr);

}  // namespace ternlab::train
