#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "config/ExperimentConfig.h"
#include "train/ExperimentRunner.h"

namespace ternlab::store {
class RunStore;
}

namespace ternlab::train {

// The experiment with another seed: the base seed and every stage that names its own seed.
config::ExperimentConfig withSeed(const config::ExperimentConfig& cfg, std::uint64_t seed);

// A finished top-level run of this exact experiment and seed (same seed group, same seed), the newest.
std::optional<std::int64_t> finishedRepeat(store::RunStore& db, const config::ExperimentConfig& cfg);

// How a seed list is run.
struct SeedRunOptions {
  std::vector<std::uint64_t> seeds;  // empty: the config's own seed only
  bool skipFinished = false;         // a seed with a finished run (finishedRepeat) is not run again
};

// One outcome per seed, in the order of the list; stops after a cancelled seed. A skipped seed's outcome
// is the earlier run, status Finished, with skipped set.
struct SeedOutcome {
  std::uint64_t seed = 0;
  RunOutcome outcome;
  bool skipped = false;
};
std::vector<SeedOutcome> runSeeds(const config::ExperimentConfig& cfg, const SeedRunOptions& seeds,
                                  const RunOptions& options, TrainingObserver& observer, const StopToken& stop);

}  // namespace ternlab::train
