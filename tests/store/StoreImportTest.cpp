// Merging stores: another machine's runs arrive with new ids, their records intact, and never twice.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "TestDir.h"
#include "store/MetricKeys.h"
#include "store/RunStore.h"

using namespace ternlab::store;
namespace fs = std::filesystem;

namespace {

struct TwoStores {
  fs::path dir = ternlab::testsupport::freshTestDir("store-import");
  std::string source = (dir / "other.sqlite").string();
  std::string target = (dir / "runs.sqlite").string();
};

// The source: a finished two-stage pipeline whose second stage distils from the first (teacher by run id),
// with metrics, layer statistics, a tag, a note and a checkpoint; and a run still running there.
struct SourceRuns {
  std::int64_t pipeline, fp, kd, running;
};

SourceRuns fillSource(const std::string& path) {
  RunStore db(path);
  db.setStatus(db.createRun({"padding", "{}", 9}), RunStatus::Finished);  // the source's ids differ from the target's
  SourceRuns r{};
  r.pipeline = db.createRun({"pipe", R"({"name":"pipe"})", 3, std::nullopt, "", "pipeline"});
  r.fp = db.createRun({"pipe/fp", R"({"name":"fp"})", 3, r.pipeline, "fp"});
  r.kd = db.createRun({"pipe/kd", "{\"name\":\"kd\",\"distill\":{\"teacher\":\"" + std::to_string(r.fp) + "\"}}", 3,
                       r.pipeline, "kd"});
  db.logMetrics(r.fp, {{metric::kTestAcc, 1, 1, 10, 80.0}, {metric::kTestAcc, 2, 2, 20, 85.5}});
  db.logMetrics(r.kd, {{metric::kTrainLoss, 1, 1, 5, 0.75}, {"only/in/source", 1, 1, 5, 42.0}});
  // step 2, epoch 2, conv1's weights: 100 codes, a quarter −1, half 0, a quarter +1, two thresholds
  const LayerStatRow row{2, 2, "conv1", "weight", 0, 100, 0.25, 0.5, 0.25, 1.5, {0.1, 0.2}, {}, std::nullopt};
  db.logLayerStats(r.kd, {row});
  db.addTag(r.pipeline, "shard-2", "#ff0000");
  db.setNote(r.kd, "from the other machine");
  db.addArtefact(r.fp, {"checkpoint", "/elsewhere/fp/epoch-002.pt", 1234, "", 2, 2});
  for (auto id : {r.fp, r.kd, r.pipeline}) db.setStatus(id, RunStatus::Finished);
  r.running = db.createRun({"still-going", "{}", 4});
  return r;
}

std::int64_t byName(RunStore& db, const std::string& name) {
  RunFilter f;
  f.text = name;
  for (const auto& r : db.listRuns(f))
    if (r.name == name) return r.id;
  return 0;
}

}  // namespace

TEST(StoreImport, CopiesFinishedRunsWithNewIdsAndEveryRecord) {
  TwoStores s;
  const auto src = fillSource(s.source);
  RunStore db(s.target);
  const auto own = db.createRun({"mine", "{}", 1});
  db.addTag(own, "shard-2", "#00ff00");  // the same tag name already here: shared, its colour kept
  db.logMetrics(own, {{metric::kTestAcc, 1, 1, 1, 50.0}});

  const auto report = db.importRuns(s.source);
  // padding, pipeline, fp, kd are copied; the running one is left out.
  EXPECT_EQ(report.ids.size(), 4u);
  EXPECT_EQ(report.alreadyPresent, 0);
  EXPECT_EQ(report.notEnded, 1);
  EXPECT_EQ(report.unreachable, 0);
  EXPECT_EQ(byName(db, "still-going"), 0);

  const auto pipeline = byName(db, "pipe"), fp = byName(db, "pipe/fp"), kd = byName(db, "pipe/kd");
  ASSERT_NE(pipeline, 0);
  EXPECT_EQ(report.ids.at(src.pipeline), pipeline);
  EXPECT_EQ(report.ids.at(src.fp), fp);
  EXPECT_NE(fp, src.fp);  // ids are this store's, not the source's
  EXPECT_EQ(db.run(fp)->parentId, pipeline);
  EXPECT_EQ(db.run(kd)->parentId, pipeline);
  EXPECT_EQ(db.run(kd)->status, RunStatus::Finished);
  EXPECT_EQ(db.run(kd)->seed, 3u);
  // The teacher, named by the source's id of the FP stage, now names its id here.
  EXPECT_NE(db.run(kd)->config.find("\"teacher\":\"" + std::to_string(fp) + "\""), std::string::npos) << db.run(kd)->config;

  const auto acc = db.metrics(fp, metric::kTestAcc);
  ASSERT_EQ(acc.size(), 2u);
  EXPECT_DOUBLE_EQ(acc[1].value, 85.5);
  EXPECT_EQ(acc[1].step, 2);
  EXPECT_DOUBLE_EQ(db.metrics(kd, "only/in/source").at(0).value, 42.0);
  EXPECT_DOUBLE_EQ(db.summaries(fp).at(0).max, 85.5);
  EXPECT_DOUBLE_EQ(db.metrics(own, metric::kTestAcc).at(0).value, 50.0);  // this store's own runs untouched
  const auto stats = db.layerStats(kd);
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].layer, "conv1");
  EXPECT_DOUBLE_EQ(stats[0].fracZero, 0.5);
  EXPECT_EQ(stats[0].thresholds, (std::vector<double>{0.1, 0.2}));
  EXPECT_EQ(db.tags(pipeline), std::vector<std::string>{"shard-2"});
  EXPECT_EQ(db.tagColors().at("shard-2"), "#00ff00");
  EXPECT_EQ(db.note(kd), "from the other machine");
  const auto ck = db.artefacts(fp, "checkpoint");
  ASSERT_EQ(ck.size(), 1u);
  EXPECT_EQ(ck[0].path, "/elsewhere/fp/epoch-002.pt");
  EXPECT_EQ(ck[0].epoch, 2);
}

TEST(StoreImport, ImportingAgainCopiesNothingAndAFinishedRunArrivesLater) {
  TwoStores s;
  const auto src = fillSource(s.source);
  RunStore db(s.target);
  ASSERT_EQ(db.importRuns(s.source).ids.size(), 4u);
  const auto before = db.listRuns().size();
  {
    RunStore other(s.source);
    other.setStatus(src.running, RunStatus::Finished);
  }
  const auto again = db.importRuns(s.source);
  EXPECT_EQ(again.alreadyPresent, 4);
  ASSERT_EQ(again.ids.size(), 1u);  // only the run that has ended since
  EXPECT_EQ(db.listRuns().size(), before + 1);
  EXPECT_EQ(db.metrics(byName(db, "pipe/fp"), metric::kTestAcc).size(), 2u);  // not doubled
}

TEST(StoreImport, RefusesWhatIsNotAStoreAndLeavesThisOneAsItWas) {
  TwoStores s;
  RunStore db(s.target);
  db.createRun({"mine", "{}", 1});
  const auto bogus = (s.dir / "notes.sqlite").string();
  std::ofstream(bogus) << "this is not a database, just text that is long enough to look like a header......";
  try {
    db.importRuns(bogus);
    FAIL() << "a text file was imported";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(bogus), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a TernLab run database"), std::string::npos) << e.what();
  }
  EXPECT_THROW(db.importRuns((s.dir / "missing.sqlite").string()), StoreError);
  EXPECT_THROW(db.importRuns(s.target), StoreError);  // itself
  EXPECT_THROW(db.importRuns(s.dir.string()), StoreError);  // a directory
  EXPECT_EQ(db.listRuns().size(), 1u);
  db.createRun({"still-writable", "{}", 2});  // the failed imports left no transaction or attachment behind
  EXPECT_EQ(db.listRuns().size(), 2u);
}
