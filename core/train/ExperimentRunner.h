#pragma once
#include <cstdint>
#include <string>

#include "config/ExperimentConfig.h"
#include "train/StopToken.h"
#include "train/TrainingObserver.h"

namespace ternlab::train {

class DataParallel;

// Where and how a run is recorded.
struct RunOptions {
  std::string dbPath;         // the run store
  std::string artefactRoot;   // empty: "<db dir>/artefacts"
  bool checkpoints = true;    // a checkpoint per epoch
  // A pipeline stage whose identity (config, seed, starting weights, teacher) matches a finished run in
  // the store is not trained again: its record is copied from that run (see StageCache).
  bool reuseStages = false;
  // This process is one rank of a data-parallel run (Distributed.h): every stage trains in the group. Rank 0
  // records into dbPath; the other ranks run the same steps against a private store of their own.
  DataParallel* parallel = nullptr;
  int threads = -1;  // resume: intra-op threads in place of the run's own (0 = all cores); -1 keeps them
};

// What happened, for the caller: the top-level run and how it ended.
struct RunOutcome {
  std::int64_t runId = 0;
  store::RunStatus status = store::RunStatus::Failed;  // Finished, Failed or Cancelled
  std::string error;
  double testAcc = 0;
};

// Runs an experiment end to end and records it: data, model, every stage as a child run when the
// file declares stages, metrics, per-layer statistics, checkpoints, final status. Never throws for a
// training fault: the run is marked failed with the message and the outcome says so.
RunOutcome runExperiment(const config::ExperimentConfig& cfg, const RunOptions& options, TrainingObserver& observer,
                         const StopToken& stop);

// Continues an interrupted, cancelled or failed run (or pipeline) from its last per-epoch checkpoint,
// in the same run record; with the same seed it ends where the uninterrupted run would have.
RunOutcome resumeRun(std::int64_t runId, const RunOptions& options, TrainingObserver& observer, const StopToken& stop);

// Resolves "init_from"/"teacher" references: a run id in the store (its final checkpoint) or a path.
std::string resolveCheckpoint(const std::string& ref, const std::string& dbPath);

}  // namespace ternlab::train
