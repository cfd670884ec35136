#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "Commands.h"
#include "ConsoleObserver.h"
#include "DataParallelArgs.h"
#include "config/ConfigError.h"
#include "config/DottedKey.h"
#include "config/ExperimentConfig.h"
#include "store/RunStore.h"
#include "train/Distributed.h"
#include "train/ExperimentRunner.h"
#include "train/SeedRuns.h"

namespace ternlab::cli {

namespace fs = std::filesystem;

namespace {

struct RunArgs {
  std::string file;
  StoreOptions store;
  int epochs = -1;
  std::int64_t trainLimit = -1;
  std::int64_t testLimit = -1;
  int threads = -1;
  bool json = false;
  bool noCheckpoints = false;
  bool reuseStages = false;
  std::vector<std::string> sets;
  std::string tag;
  std::int64_t id = 0;
  std::vector<std::uint64_t> seeds;
  bool skipFinished = false;
  DataParallelArgs parallel;
};

// `run` and the arguments every rank of `--nproc` repeats (the launcher adds the rank's own).
std::vector<std::string> rankArguments(const RunArgs& a, const std::string& db) {
  std::vector<std::string> out{"run", a.file, "--db", db};
  if (a.epochs >= 0) out.insert(out.end(), {"--epochs", std::to_string(a.epochs)});
  if (a.trainLimit > 0) out.insert(out.end(), {"--train-limit", std::to_string(a.trainLimit)});
  if (a.testLimit > 0) out.insert(out.end(), {"--test-limit", std::to_string(a.testLimit)});
  if (a.json) out.push_back("--json");
  if (a.noCheckpoints) out.push_back("--no-checkpoints");
  if (!a.tag.empty()) out.insert(out.end(), {"--tag", a.tag});
  for (const auto& kv : a.sets) out.insert(out.end(), {"--set", kv});
  if (!a.seeds.empty()) {
    std::string list;
    for (const auto s : a.seeds) list += (list.empty() ? "" : ",") + std::to_string(s);
    out.insert(out.end(), {"--seeds", list});
  }
  return out;
}

// Applies command-line overrides to the base and to every stage, then revalidates.
config::ExperimentConfig withOverrides(const config::ExperimentConfig& cfg, const RunArgs& a) {
  auto doc = cfg.json;
  auto patch = [&](nlohmann::json& j) {
    if (a.epochs >= 0) j["epochs"] = a.epochs;
    if (a.trainLimit >= 0) j["dataset"]["train_limit"] = a.trainLimit;
    if (a.testLimit >= 0) j["dataset"]["test_limit"] = a.testLimit;
    if (a.threads >= 0) j["threads"] = a.threads;
  };
  for (const auto& kv : a.sets) config::applySetOverride(doc, kv, a.file);
  patch(doc);
  if (doc.contains("stages"))
    for (auto& s : doc["stages"])
      if (a.epochs >= 0) s["epochs"] = a.epochs;
  return config::parseExperiment(doc, a.file);
}

}  // namespace

void addRunCommand(CLI::App& app, int& exitCode) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Train an experiment file and record it in the run store");
  cmd->add_option("file", args->file, "experiment JSON file")->required();
  cmd->add_option("--db", args->store.db, "run database (default: $XDG_DATA_HOME/ternlab/runs.sqlite)");
  cmd->add_option("--epochs", args->epochs, "override the number of epochs (of every stage)")->check(CLI::Range(0, 100000));
  cmd->add_option("--train-limit", args->trainLimit, "use only the first N training images")->check(CLI::PositiveNumber);
  cmd->add_option("--test-limit", args->testLimit, "use only the first N test images")->check(CLI::PositiveNumber);
  cmd->add_option("--threads", args->threads, "intra-op threads (0 = all cores)")->check(CLI::Range(0, 1024));
  cmd->add_flag("--json", args->json, "print the outcome as one JSON document (no progress output)");
  cmd->add_flag("--no-checkpoints", args->noCheckpoints, "do not write per-epoch checkpoints");
  cmd->add_option("--tag", args->tag, "tag the run (sweeps tag their runs with the sweep's name)");
  cmd->add_option("--set", args->sets, "override a key of the file: KEY=VALUE, dotted (--set distill.lambda=0.7)")
      ->allow_extra_args(false);
  cmd->add_flag("--reuse-stages", args->reuseStages,
                "do not retrain a stage identical (config, seed, start, teacher) to a finished run in the store");
  cmd->add_option("--seeds", args->seeds,
                  "one run per seed (comma-separated, e.g. 1,2,3); the runs form one seed group in the store")
      ->delimiter(',');
  cmd->add_flag("--skip-finished", args->skipFinished,
                "do not run a seed again that already has a finished run of this experiment in the store");
  addDataParallelOptions(cmd, args->parallel);
  cmd->callback([args, &exitCode] {
    config::ExperimentConfig cfg;
    try {
      cfg = withOverrides(config::loadExperimentFile(args->file), *args);
    } catch (const config::ConfigError& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      exitCode = 2;
      return;
    }
    const bool dataParallel = args->parallel.launchesRanks() || args->parallel.isRank();
    if (dataParallel && (args->reuseStages || args->skipFinished)) {
      std::fprintf(stderr, "error: --reuse-stages and --skip-finished cannot be used in a data-parallel run: every "
                           "rank trains every stage\n");
      exitCode = 2;
      return;
    }
    if (args->parallel.launchesRanks()) {
      exitCode = launchRanks(args->parallel, rankArguments(*args, args->store.path()), args->store.path(), args->threads);
      return;
    }
    train::StopToken stop;
    StopOnSignal guard(stop);
    train::RunOptions opts;
    opts.dbPath = args->store.path();
    opts.checkpoints = !args->noCheckpoints;
    opts.reuseStages = args->reuseStages;
    std::unique_ptr<RankContext> rank;
    if (dataParallel) rank = std::make_unique<RankContext>(args->parallel, opts);
    const bool privateRank = rank && rank->recordsPrivately();
    const bool quiet = args->json || privateRank;
    ConsoleObserver observer(quiet);
    train::SeedRunOptions seeds;
    seeds.seeds = args->seeds;
    seeds.skipFinished = args->skipFinished;
    const auto outcomes = train::runSeeds(cfg, seeds, opts, observer, stop);
    if (privateRank) {  // rank 0 reports the run
      exitCode = 0;
      for (const auto& o : outcomes) {
        if (o.outcome.status == store::RunStatus::Failed) std::fprintf(stderr, "error: %s\n", o.outcome.error.c_str());
        exitCode = std::max(exitCode, exitCodeOf(o.outcome));
      }
      return;
    }
    if (!args->tag.empty()) {
      store::RunStore db(opts.dbPath);
      for (const auto& o : outcomes) db.addTag(o.outcome.runId, args->tag);
    }
    if (args->seeds.empty() && !outcomes.empty() && !outcomes[0].skipped) {
      printOutcome(outcomes[0].outcome, opts.dbPath, args->json);
      exitCode = exitCodeOf(outcomes[0].outcome);
      return;
    }
    printSeedOutcomes(outcomes, opts.dbPath, args->json);
    exitCode = 0;
    for (const auto& o : outcomes) exitCode = std::max(exitCode, exitCodeOf(o.outcome));
  });
}

void addResumeCommand(CLI::App& app, int& exitCode) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("resume", "Continue an interrupted run from its last per-epoch checkpoint");
  cmd->add_option("id", args->id, "run id (a pipeline resumes at its unfinished stage)")->required();
  cmd->add_option("--db", args->store.db, "run database");
  cmd->add_flag("--json", args->json, "print the outcome as one JSON document");
  cmd->add_option("--threads", args->threads, "intra-op threads (0 = all cores; default: the run's own)")
      ->check(CLI::Range(0, 1024));
  addDataParallelOptions(cmd, args->parallel);
  cmd->callback([args, &exitCode] {
    const std::string db = args->store.path();
    if (args->parallel.launchesRanks()) {
      std::vector<std::string> command{"resume", std::to_string(args->id), "--db", db};
      if (args->json) command.push_back("--json");
      exitCode = launchRanks(args->parallel, command, db, args->threads);
      return;
    }
    train::StopToken stop;
    StopOnSignal guard(stop);
    train::RunOptions opts;
    opts.dbPath = db;
    opts.threads = args->threads;
    std::unique_ptr<RankContext> rank;
    std::int64_t id = args->id;
    if (args->parallel.isRank()) {
      rank = std::make_unique<RankContext>(args->parallel, opts);
      // A rank other than 0 resumes the same run in its private store, copied from the shared one before rank 0
      // takes the run up again (the barrier).
      if (rank->recordsPrivately()) id = rank->mirrorForResume(db, id);
      rank->barrier();
    }
    const bool privateRank = rank && rank->recordsPrivately();
    ConsoleObserver observer(args->json || privateRank);
    const auto out = train::resumeRun(id, opts, observer, stop);
    if (privateRank) {
      if (out.status == store::RunStatus::Failed) std::fprintf(stderr, "error: %s\n", out.error.c_str());
    } else {
      printOutcome(out, db, args->json);
    }
    exitCode = exitCodeOf(out);
  });
}

void printOutcome(const train::RunOutcome& out, const std::string& db, bool json) {
  {
    if (json) {
      nlohmann::json j{{"run", out.runId}, {"status", store::runStatusName(out.status)}, {"test_acc", out.testAcc}, {"db", db}};
      if (!out.error.empty()) j["error"] = out.error;
      std::printf("%s\n", j.dump(2).c_str());
    } else if (out.status == store::RunStatus::Failed) {
      std::fprintf(stderr, "error: run %lld failed: %s\n", static_cast<long long>(out.runId), out.error.c_str());
    }
  }
}

void printSeedOutcomes(const std::vector<train::SeedOutcome>& outcomes, const std::string& db, bool json) {
  nlohmann::json runs = nlohmann::json::array();
  std::string group;
  {
    store::RunStore store(db);
    for (const auto& o : outcomes) {
      const auto& out = o.outcome;
      nlohmann::json j{{"seed", o.seed}, {"run", out.runId}, {"status", store::runStatusName(out.status)}, {"test_acc", out.testAcc}};
      if (o.skipped) j["skipped"] = true;
      if (!out.error.empty()) j["error"] = out.error;
      runs.push_back(j);
      if (const auto rec = store.run(out.runId)) group = rec->seedGroup;
      if (!json) {
        if (out.status == store::RunStatus::Failed)
          std::fprintf(stderr, "error: seed %llu: run %lld failed: %s\n", static_cast<unsigned long long>(o.seed),
                       static_cast<long long>(out.runId), out.error.c_str());
        else
          std::fprintf(stderr, "seed %llu: run %lld %s%s, test acc %.2f %%\n", static_cast<unsigned long long>(o.seed),
                       static_cast<long long>(out.runId), store::runStatusName(out.status), o.skipped ? " earlier (skipped)" : "",
                       out.testAcc);
      }
    }
  }
  if (json) std::printf("%s\n", nlohmann::json{{"seed_group", group}, {"runs", runs}, {"db", db}}.dump(2).c_str());
}

int exitCodeOf(const train::RunOutcome& out) {
  return out.status == store::RunStatus::Finished ? 0 : (out.status == store::RunStatus::Cancelled ? 130 : 1);
}

}  // namespace ternlab::cli
