// Trainer and runner end to end on real Fashion-MNIST: accuracy, recording, cancel, failure.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>

#include "TestDir.h"
#include "config/ExperimentConfig.h"
#include "nn/TernaryNet.h"
#include "store/RunStore.h"
#include "train/ExperimentRunner.h"
#include "train/LrSchedule.h"

using namespace ternlab;
namespace fs = std::filesystem;

namespace {
std::string freshDb() { return (testsupport::freshTestDir("train") / "runs.sqlite").string(); }

struct Counting : train::TrainingObserver {
  int steps = 0, epochs = 0;
  store::RunStatus finalStatus = store::RunStatus::Queued;
  train::StopToken* stopAfterFirstStep = nullptr;
  void onStep(const train::StepUpdate&) override {
    ++steps;
    if (stopAfterFirstStep) stopAfterFirstStep->requestStop();
  }
  void onEpoch(const train::EpochUpdate&) override { ++epochs; }
  void onRunFinished(std::int64_t, store::RunStatus s, const std::string&) override { finalStatus = s; }
};
}  // namespace

TEST(Policy, FirstAndLastLayerStayFullPrecisionByDefault) {
  auto cfg = config::parseExperimentText(R"({"quant":{"weights":{"scheme":"twn"}}})");
  auto net = nn::makeModel(cfg.model, {1, 28, 10});
  nn::applyQuantPolicy(*net, cfg.quant);
  std::vector<bool> ternary;
  for (auto* l : net->quantLayers()) ternary.push_back(l->ternary());
  EXPECT_EQ(ternary, (std::vector<bool>{false, true, true, true, false}));
  auto all = config::parseExperimentText(
      R"({"quant":{"weights":{"scheme":"twn"},"first_layer":"ternary","last_layer":"ternary","layers":{"fc2":{"scheme":"none"}}}})");
  nn::applyQuantPolicy(*net, all.quant);
  ternary.clear();
  for (auto* l : net->quantLayers()) ternary.push_back(l->ternary());
  EXPECT_EQ(ternary, (std::vector<bool>{true, true, true, false, true}));
  auto bad = config::parseExperimentText(R"({"quant":{"weights":{"scheme":"twn"},"layers":{"conv9":{}}}})");
  EXPECT_THROW(nn::applyQuantPolicy(*net, bad.quant), std::invalid_argument);
}

TEST(LrSchedule, CosineStepAndWarmup) {
  config::OptimizerSpec o;
  o.lr = 0.1;
  config::ScheduleSpec s;
  s.type = "cosine";
  EXPECT_DOUBLE_EQ(train::learningRate(o, s, 10, 0.0), 0.1);
  EXPECT_NEAR(train::learningRate(o, s, 10, 5.0), 0.05, 1e-12);
  EXPECT_NEAR(train::learningRate(o, s, 10, 10.0), 0.0, 1e-12);
  s.type = "step";
  s.milestones = {3, 6};
  EXPECT_NEAR(train::learningRate(o, s, 10, 2.9), 0.1, 1e-12);
  EXPECT_NEAR(train::learningRate(o, s, 10, 3.0), 0.01, 1e-12);
  EXPECT_NEAR(train::learningRate(o, s, 10, 7.0), 0.001, 1e-12);
  s.warmupEpochs = 2;
  EXPECT_LT(train::learningRate(o, s, 10, 0.5), 0.05);
}

// The foundation's end-to-end check: LeNet-5 + TWN, 1 epoch on 5,000 Fashion-MNIST images.
TEST(TrainingIntegration, LeNetTwnOneEpochOnFiveThousandImages) {
  auto cfg = config::parseExperimentText(R"({
    "name": "e2e-twn", "dataset": {"name": "fashion-mnist", "train_limit": 5000},
    "quant": {"weights": {"scheme": "twn"}}, "optimizer": {"lr": 0.05}, "epochs": 1,
    "batch_size": 64, "log_interval": 10, "seed": 3})");
  const auto db = freshDb();
  Counting obs;
  train::StopToken stop;
  const auto out = train::runExperiment(cfg, {db}, obs, stop);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  EXPECT_GT(out.testAcc, 75.0);
  store::RunStore store(db);
  auto run = store.run(out.runId);
  EXPECT_EQ(run->status, store::RunStatus::Finished);
  EXPECT_EQ(store.metrics(out.runId, "test/acc").size(), 1u);
  EXPECT_GE(store.metrics(out.runId, "train/loss").size(), 7u);  // 79 batches, a point every 10
  const auto layers = store.layerStats(out.runId);
  std::set<std::string> names;
  for (const auto& l : layers) {
    names.insert(l.layer);
    EXPECT_GT(l.density(), 0.05);
    EXPECT_LT(l.density(), 0.95);
    EXPECT_EQ(l.scales.size(), 1u);
  }
  EXPECT_EQ(names, (std::set<std::string>{"conv2", "fc1", "fc2"}));
  EXPECT_EQ(store.artefacts(out.runId, "checkpoint").size(), 1u);
  EXPECT_EQ(store.artefacts(out.runId, "checkpoint-final").size(), 1u);
  EXPECT_EQ(obs.finalStatus, store::RunStatus::Finished);
}

TEST(TrainingIntegration, StopTokenCancelsBetweenBatches) {
  auto cfg = config::parseExperimentText(
      R"({"dataset": {"train_limit": 2000, "test_limit": 100}, "epochs": 3, "log_interval": 1, "threads": 1})");
  const auto db = freshDb();
  Counting obs;
  train::StopToken stop;
  obs.stopAfterFirstStep = &stop;
  const auto out = train::runExperiment(cfg, {db}, obs, stop);
  EXPECT_EQ(out.status, store::RunStatus::Cancelled);
  EXPECT_EQ(obs.steps, 1);
  EXPECT_EQ(store::RunStore(db).run(out.runId)->status, store::RunStatus::Cancelled);
}

TEST(TrainingIntegration, BadDatasetMarksRunFailedWithFileName) {
  auto cfg = config::parseExperimentText(R"({"dataset": {"path": "/nonexistent/fmnist"}, "epochs": 1})");
  const auto db = freshDb();
  Counting obs;
  train::StopToken stop;
  const auto out = train::runExperiment(cfg, {db}, obs, stop);
  EXPECT_EQ(out.status, store::RunStatus::Failed);
  EXPECT_NE(out.error.find("/nonexistent/fmnist"), std::string::npos) << out.error;
  auto r = store::RunStore(db).run(out.runId);
  EXPECT_EQ(r->status, store::RunStatus::Failed);
  EXPECT_EQ(r->error, out.error);
}

TEST(TrainingIntegration, PipelineStagesAreChildRunsAndCarryWeights) {
  auto cfg = config::parseExperimentText(R"({
    "name": "pipe", "dataset": {"train_limit": 1000, "test_limit": 300}, "quant": {"weights": {"scheme": "twn"}},
    "threads": 1, "log_interval": 5,
    "stages": [{"name": "fp", "epochs": 1, "quant": {"weights": {"scheme": "none"}}}, {"name": "ternary", "epochs": 1}]})");
  const auto db = freshDb();
  Counting obs;
  train::StopToken stop;
  const auto out = train::runExperiment(cfg, {db}, obs, stop);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  store::RunStore store(db);
  const auto kids = store.children(out.runId);
  ASSERT_EQ(kids.size(), 2u);
  EXPECT_EQ(store.run(kids[0])->stage, "fp");
  EXPECT_EQ(store.run(kids[1])->stage, "ternary");
  EXPECT_TRUE(store.layerStats(kids[0]).empty());  // FP stage: nothing ternary
  EXPECT_FALSE(store.layerStats(kids[1]).empty());
  EXPECT_EQ(store.run(out.runId)->kind, "pipeline");
  EXPECT_EQ(store.metrics(out.runId, "test/acc").size(), 2u);
}

namespace {
// Requests a stop as soon as the given epoch has ended (a kill between epochs, as far as the store knows).
struct StopAfterEpoch : train::TrainingObserver {
  train::StopToken* stop;
  int epoch;
  StopAfterEpoch(train::StopToken* s, int e) : stop(s), epoch(e) {}
  void onEpoch(const train::EpochUpdate& u) override {
    if (u.epoch == epoch) stop->requestStop();
  }
};
}  // namespace

TEST(ResumeIntegration, InterruptedRunResumesToTheSameResult) {
  const char* text = R"({"name": "resume", "dataset": {"train_limit": 1200, "test_limit": 400},
      "quant": {"weights": {"scheme": "twn"}}, "epochs": 3, "threads": 1, "log_interval": 5, "seed": 11})";
  auto cfg = config::parseExperimentText(text);
  const auto db = freshDb();
  Counting plain;
  train::StopToken never;
  const auto whole = train::runExperiment(cfg, {db}, plain, never);
  ASSERT_EQ(whole.status, store::RunStatus::Finished) << whole.error;

  train::StopToken stop;
  StopAfterEpoch stopper(&stop, 1);
  const auto cut = train::runExperiment(cfg, {db}, stopper, stop);
  ASSERT_EQ(cut.status, store::RunStatus::Cancelled);
  store::RunStore store(db);
  EXPECT_EQ(store.artefacts(cut.runId, "checkpoint").size(), 1u);
  EXPECT_THROW(train::resumeRun(whole.runId, {db}, plain, never), std::runtime_error);  // finished: nothing to do

  Counting resumed;
  const auto again = train::resumeRun(cut.runId, {db}, resumed, never);
  ASSERT_EQ(again.status, store::RunStatus::Finished) << again.error;
  EXPECT_EQ(again.runId, cut.runId);
  EXPECT_EQ(resumed.epochs, 2);  // epochs 2 and 3 only
  EXPECT_DOUBLE_EQ(again.testAcc, whole.testAcc);
  const auto a = store.metrics(whole.runId, "train/loss");
  const auto b = store.metrics(cut.runId, "train/loss");
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].step, b[i].step);
    EXPECT_DOUBLE_EQ(a[i].value, b[i].value) << "step " << a[i].step;
  }
  EXPECT_EQ(store.run(cut.runId)->status, store::RunStatus::Finished);
}
