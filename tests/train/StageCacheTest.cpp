// Stage reuse: a pipeline stage identical to a finished run is copied, a changed one is trained.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include "TestDir.h"

#include "config/DottedKey.h"
#include "config/ExperimentConfig.h"
#include "store/RunStore.h"
#include "train/ExperimentRunner.h"
#include "train/StageCache.h"

using namespace ternlab;
namespace fs = std::filesystem;

namespace {
std::string freshDb() { return (testsupport::freshTestDir("cache") / "runs.sqlite").string(); }

// FP teacher, then a distilled ternary stage whose teacher is the FP stage.
nlohmann::json pipeline() {
  return nlohmann::json::parse(R"({
    "name": "kd", "dataset": {"train_limit": 600, "test_limit": 200}, "threads": 1, "log_interval": 5,
    "quant": {"weights": {"scheme": "twn"}}, "distill": {"teacher": "stage:fp", "lambda": 0.9},
    "stages": [{"name": "fp", "epochs": 1, "distill": {"teacher": ""}, "quant": {"weights": {"scheme": "none"}}},
               {"name": "ternary", "epochs": 1, "optimizer": {"lr": 0.01}}]})");
}

train::RunOutcome run(const nlohmann::json& doc, const std::string& db, bool reuse) {
  train::RunOptions o;
  o.dbPath = db;
  o.reuseStages = reuse;
  train::TrainingObserver quiet;
  train::StopToken never;
  return train::runExperiment(config::parseExperiment(doc), o, quiet, never);
}
}  // namespace

TEST(StageCacheIntegration, IdenticalStagesAreReusedChangedOnesTrained) {
  const auto db = freshDb();
  const auto first = run(pipeline(), db, true);
  ASSERT_EQ(first.status, store::RunStatus::Finished) << first.error;
  store::RunStore store(db);
  const auto a = store.children(first.runId);
  EXPECT_EQ(store.note(a[0]), "");  // nothing to reuse in an empty store

  const auto second = run(pipeline(), db, true);
  ASSERT_EQ(second.status, store::RunStatus::Finished) << second.error;
  const auto b = store.children(second.runId);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_NE(store.note(b[0]).find("reused run " + std::to_string(a[0])), std::string::npos);
  EXPECT_NE(store.note(b[1]).find("reused run " + std::to_string(a[1])), std::string::npos);
  EXPECT_DOUBLE_EQ(second.testAcc, first.testAcc);
  // The copy carries the record: curves, layer statistics and a loadable final checkpoint.
  EXPECT_EQ(store.metrics(b[1], "train/loss").size(), store.metrics(a[1], "train/loss").size());
  EXPECT_EQ(store.layerStats(b[1]).size(), store.layerStats(a[1]).size());
  EXPECT_EQ(train::resolveCheckpoint(std::to_string(b[1]), db), train::resolveCheckpoint(std::to_string(a[1]), db));

  // λ changed in stage 2: the FP stage is reused, the distilled stage is trained.
  auto changed = pipeline();
  config::setDotted(changed, "stages.1.distill.lambda", 0.5);
  const auto third = run(changed, db, true);
  ASSERT_EQ(third.status, store::RunStatus::Finished) << third.error;
  const auto c = store.children(third.runId);
  EXPECT_NE(store.note(c[0]).find("reused"), std::string::npos);
  EXPECT_EQ(store.note(c[1]), "");
  EXPECT_NE(store.metrics(c[1], "train/loss").back().value, store.metrics(a[1], "train/loss").back().value);

  // Without the option every stage trains.
  const auto fourth = run(pipeline(), db, false);
  for (auto kid : store.children(fourth.runId)) EXPECT_EQ(store.note(kid), "");
}

TEST(StageCacheIntegration, IdentityOfAStoredStageMatchesTheRunner) {
  const auto db = freshDb();
  const auto out = run(pipeline(), db, false);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  store::RunStore store(db);
  train::StageCache cache(store);
  const auto kids = store.children(out.runId);
  const auto base = config::parseExperiment(pipeline());
  const auto fp = train::StageCache::identity(config::stageConfig(base, 0), "", "");
  EXPECT_EQ(cache.identityOf(kids[0]), fp);
  EXPECT_EQ(cache.identityOf(kids[1]), train::StageCache::identity(config::stageConfig(base, 1), fp, fp));
  // Thread count and name do not change what a stage computes; the seed does.
  auto other = config::stageConfig(base, 0);
  other.threads = 2;
  other.name = "renamed";
  EXPECT_EQ(train::StageCache::identity(other, "", ""), fp);
  // An option written out at its default value is the same stage as the option left out.
  auto asym = config::parseExperimentText(R"({"quant": {"weights": {"scheme": "asym", "options": {"learn_scale": 1}}}})");
  auto asymExplicit = config::parseExperimentText(
      R"({"quant": {"weights": {"scheme": "asym", "options": {"learn_scale": 1, "symmetric": 0}}}})");
  auto asymSymmetric = config::parseExperimentText(
      R"({"quant": {"weights": {"scheme": "asym", "options": {"learn_scale": 1, "symmetric": 1}}}})");
  EXPECT_EQ(train::StageCache::identity(asym, "", ""), train::StageCache::identity(asymExplicit, "", ""));
  EXPECT_NE(train::StageCache::identity(asym, "", ""), train::StageCache::identity(asymSymmetric, "", ""));
  // With nothing quantized, first_layer / last_layer cannot matter (a first/last-layer sweep shares its FP
  // stage); with a ternary scheme they do.
  auto fpFirstTernary = config::stageConfig(base, 0);
  fpFirstTernary.quant.firstTernary = fpFirstTernary.quant.lastTernary = true;
  EXPECT_EQ(train::StageCache::identity(fpFirstTernary, "", ""), fp);
  auto twnFirstTernary = config::stageConfig(base, 1);
  twnFirstTernary.quant.firstTernary = true;
  EXPECT_NE(train::StageCache::identity(twnFirstTernary, fp, fp),
            train::StageCache::identity(config::stageConfig(base, 1), fp, fp));
  other.seed = 99;
  EXPECT_NE(train::StageCache::identity(other, "", ""), fp);
  EXPECT_EQ(cache.find(fp), kids[0]);
  EXPECT_FALSE(cache.find(train::StageCache::identity(other, "", "")).has_value());
}

TEST(DottedKey, SetsNestedKeysAndArrayElements) {
  auto doc = nlohmann::json::parse(R"({"stages": [{"epochs": 1}, {"epochs": 2}]})");
  config::setDotted(doc, "stages.1.epochs", 7);
  config::setDotted(doc, "optimizer.lr", config::parseLooseValue("0.02"));
  config::setDotted(doc, "quant.weights.scheme", config::parseLooseValue("twn"));
  EXPECT_EQ(doc["stages"][1]["epochs"], 7);
  EXPECT_DOUBLE_EQ(doc["optimizer"]["lr"].get<double>(), 0.02);
  EXPECT_EQ(doc["quant"]["weights"]["scheme"], "twn");
  EXPECT_THROW(config::setDotted(doc, "stages.2.epochs", 1), std::invalid_argument);
  EXPECT_THROW(config::setDotted(doc, "stages.x", 1), std::invalid_argument);
}
