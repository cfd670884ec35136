#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "store/RunRecords.h"

namespace ternlab::train {

// A stage (one child run, or the only run) begins.
struct StageStarted {
  std::int64_t runId = 0;
  std::int64_t parentId = 0;  // 0 when the stage is the whole run
  std::string name;
  int stageIndex = 0, stageCount = 1;
  int epochs = 0;
  std::int64_t batchesPerEpoch = 0;
};

// Progress of one training step (sent every log interval and at the end of each epoch).
struct StepUpdate {
  std::int64_t runId = 0;
  std::int64_t step = 0;
  int epoch = 0;
  std::int64_t batch = 0, batchesPerEpoch = 0;
  double loss = 0, accuracy = 0, lr = 0, wallMs = 0;
};

// Results of one epoch, test metrics included.
struct EpochUpdate {
  std::int64_t runId = 0;
  int epoch = 0, epochs = 0;
  std::int64_t step = 0;
  double trainLoss = 0, trainAcc = 0, testLoss = 0, testAcc = 0, testTop5 = 0, lr = 0, seconds = 0, wallMs = 0;
};

// Receives a run's progress as plain numbers (no tensors, no Qt); called on the training thread.
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void onStageStarted(const StageStarted&) {}
  virtual void onStep(const StepUpdate&) {}
  virtual void onEpoch(const EpochUpdate&) {}
  virtual void onLayerStats(std::int64_t /*runId*/, const std::vector<store::LayerStatRow>&) {}
  virtual void onRunFinished(std::int64_t /*runId*/, store::RunStatus /*status*/, const std::string& /*error*/) {}
};

}  // namespace ternlab::train
