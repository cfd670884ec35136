#pragma once
#include <string>
#include <vector>

#include "ProgressBar.h"
#include "train/ExperimentRunner.h"
#include "train/SeedRuns.h"
#include "train/TrainingObserver.h"

namespace ternlab::cli {

// Prints per-epoch lines on stdout and a progress bar on stderr; silent with --json.
class ConsoleObserver : public train::TrainingObserver {
 public:
  explicit ConsoleObserver(bool quiet) : quiet_(quiet), bar_(!quiet) {}
  void onStageStarted(const train::StageStarted& s) override;
  void onStep(const train::StepUpdate& u) override;
  void onEpoch(const train::EpochUpdate& u) override;
  void onRunFinished(std::int64_t runId, store::RunStatus status, const std::string& error) override;

 private:
  bool quiet_;
  ProgressBar bar_;
  train::StageStarted stage_;
  int epoch_ = 0;
};

// Routes SIGINT/SIGTERM to a StopToken while alive, so Ctrl-C records a cancelled run (a second one kills).
class StopOnSignal {
 public:
  explicit StopOnSignal(train::StopToken& stop);
  ~StopOnSignal();
};

void printOutcome(const train::RunOutcome& out, const std::string& db, bool json);
int exitCodeOf(const train::RunOutcome& out);
// The outcomes of `run --seeds`: one line per seed, or one JSON document with the seed group.
void printSeedOutcomes(const std::vector<train::SeedOutcome>& outcomes, const std::string& db, bool json);

}  // namespace ternlab::cli
