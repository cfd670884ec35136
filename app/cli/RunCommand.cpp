#include <csignal>
#include <cstdio>
#include <memory>

#include "Commands.h"
#include "ProgressBar.h"
#include "config/ConfigError.h"
#include "config/ExperimentConfig.h"
#include "train/ExperimentRunner.h"

namespace ternlab::cli {

namespace {

train::StopToken* gStop = nullptr;

extern "C" void onSignal(int sig) {
  if (gStop) gStop->requestStop();
  std::signal(sig, SIG_DFL);  // a second signal kills at once
}

// Prints per-epoch lines on stdout and a progress bar on stderr.
class ConsoleObserver : public train::TrainingObserver {
 public:
  explicit ConsoleObserver(bool quiet) : quiet_(quiet), bar_(!quiet) {}
  void onStageStarted(const train::StageStarted& s) override {
    stage_ = s;
    if (!quiet_)
      std::printf("run %lld: %s (%d epochs, %lld batches/epoch)\n", static_cast<long long>(s.runId), s.name.c_str(),
                  s.epochs, static_cast<long long>(s.batchesPerEpoch));
    std::fflush(stdout);
    bar_.start("epoch 1/" + std::to_string(s.epochs), s.batchesPerEpoch);
  }
  void onStep(const train::StepUpdate& u) override {
    if (u.batch == 1 || u.epoch != epoch_) {
      epoch_ = u.epoch;
      bar_.start("epoch " + std::to_string(u.epoch) + "/" + std::to_string(stage_.epochs), u.batchesPerEpoch);
    }
    char buf[96];
    std::snprintf(buf, sizeof buf, "loss %.4f  acc %.1f%%  lr %.4g", u.loss, u.accuracy, u.lr);
    bar_.update(u.batch, buf);
  }
  void onEpoch(const train::EpochUpdate& u) override {
    bar_.finish();
    if (!quiet_)
      std::printf("  epoch %3d/%d  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%% top5 %.2f%%  lr %.4g  %.1fs\n",
                  u.epoch, u.epochs, u.trainLoss, u.trainAcc, u.testLoss, u.testAcc, u.testTop5, u.lr, u.seconds);
    std::fflush(stdout);
  }
  void onRunFinished(std::int64_t runId, const std::string& status, const std::string& error) override {
    bar_.finish();
    if (!quiet_)
      std::printf("run %lld %s%s%s\n", static_cast<long long>(runId), status.c_str(), error.empty() ? "" : ": ",
                  error.c_str());
  }

 private:
  bool quiet_;
  ProgressBar bar_;
  train::StageStarted stage_;
  int epoch_ = 0;
};

struct RunArgs {
  std::string file;
  StoreOptions store;
  int epochs = -1;
  std::int64_t trainLimit = -1;
  std::int64_t testLimit = -1;
  int threads = -1;
  bool json = false;
  bool noCheckpoints = false;
};

// Applies command-line overrides to the base and to every stage, then revalidates.
config::ExperimentConfig withOverrides(const config::ExperimentConfig& cfg, const RunArgs& a) {
  auto doc = cfg.json;
  auto patch = [&](nlohmann::json& j) {
    if (a.epochs >= 0) j["epochs"] = a.epochs;
    if (a.trainLimit >= 0) j["dataset"]["train_limit"] = a.trainLimit;
    if (a.testLimit >= 0) j["dataset"]["test_limit"] = a.testLimit;
    if (a.threads >= 0) j["threads"] = a.threads;
  };
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
  cmd->callback([args, &exitCode] {
    config::ExperimentConfig cfg;
    try {
      cfg = withOverrides(config::loadExperimentFile(args->file), *args);
    } catch (const config::ConfigError& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      exitCode = 2;
      return;
    }
    train::StopToken stop;
    gStop = &stop;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    ConsoleObserver observer(args->json);
    train::RunOptions opts;
    opts.dbPath = args->store.path();
    opts.checkpoints = !args->noCheckpoints;
    const auto out = train::runExperiment(cfg, opts, observer, stop);
    gStop = nullptr;
    if (args->json) {
      nlohmann::json j{{"run", out.runId}, {"status", out.status}, {"test_acc", out.testAcc}, {"db", opts.dbPath}};
      if (!out.error.empty()) j["error"] = out.error;
      std::printf("%s\n", j.dump(2).c_str());
    } else if (out.status == "failed") {
      std::fprintf(stderr, "error: run %lld failed: %s\n", static_cast<long long>(out.runId), out.error.c_str());
    }
    exitCode = out.status == "finished" ? 0 : (out.status == "cancelled" ? 130 : 1);
  });
}

}  // namespace ternlab::cli
