#include "train/SeedRuns.h"

#include "config/SeedGroup.h"
#include "store/RunStore.h"
#include "store/MetricKeys.h"

namespace ternlab::train {

config::ExperimentConfig withSeed(const config::ExperimentConfig& cfg, std::uint64_t seed) {
  auto doc = cfg.json;
  doc["seed"] = seed;
  if (doc.contains("stages") && doc["stages"].is_array())
    for (auto& stage : doc["stages"])
      if (stage.is_object() && stage.contains("seed")) stage["seed"] = seed;
  return config::parseExperiment(doc, cfg.name);
}

std::optional<std::int64_t> finishedRepeat(store::RunStore& db, const config::ExperimentConfig& cfg) {
  store::RunFilter f;
  f.topLevelOnly = true;
  f.status = store::RunStatus::Finished;
  f.seedGroup = config::seedGroupKey(cfg.json.dump());
  std::optional<std::int64_t> newest;
  for (const auto& r : db.listRuns(f))
    if (r.seed == cfg.seed) newest = r.id;
  return newest;
}

std::vector<SeedOutcome> runSeeds(const config::ExperimentConfig& cfg, const SeedRunOptions& seeds,
                                  const RunOptions& options, TrainingObserver& observer, const StopToken& stop) {
  std::vector<std::uint64_t> list = seeds.seeds;
  if (list.empty()) list.push_back(cfg.seed);
  std::vector<SeedOutcome> out;
  for (const auto seed : list) {
    // Without a seed list the experiment runs exactly as given (a stage may name a seed of its own).
    const auto one = seeds.seeds.empty() ? cfg : withSeed(cfg, seed);
    SeedOutcome o;
    o.seed = seed;
    if (seeds.skipFinished) {
      store::RunStore db(options.dbPath);
      if (const auto done = finishedRepeat(db, one)) {
        o.skipped = true;
        o.outcome.runId = *done;
        o.outcome.status = store::RunStatus::Finished;
        for (const auto& s : db.summaries(*done))
          if (s.key == store::metric::kTestAcc) o.outcome.testAcc = s.last;
        out.push_back(o);
        continue;
      }
    }
    o.outcome = runExperiment(one, options, observer, stop);
    out.push_back(o);
    if (o.outcome.status == store::RunStatus::Cancelled || stop.stopRequested()) break;
  }
  return out;
}

}  // namespace ternlab::train
