// Seed groups read from a real run store: one run per seed, pipeline stages, and the test chosen.
#include <gtest/gtest.h>

#include <cmath>

#include "TestDir.h"
#include "report/SeedGroupReport.h"
#include "store/RunStore.h"

using namespace ternlab;

namespace {

std::string freshDb() { return (testsupport::freshTestDir("seedgroup") / "runs.sqlite").string(); }

const char* kTernary = R"({"lr":%s,"seed":%d,"quant":{"weights":{"scheme":"twn"},"activations":{"scheme":"none"}},"stages":[{"name":"fp"},{"name":"t"}]})";

// A finished two-stage pipeline: an FP stage ending at fp %, a ternary stage whose epochs reach accs.
std::int64_t pipeline(store::RunStore& db, const std::string& lr, int seed, double fp, std::vector<double> accs) {
  char cfg[512];
  std::snprintf(cfg, sizeof cfg, kTernary, lr.c_str(), seed);
  const auto top = db.createRun({"p", cfg, static_cast<std::uint64_t>(seed), std::nullopt, "", "pipeline"});
  const auto fpRun = db.createRun({"fp", R"({"quant":{"weights":{"scheme":"none"},"activations":{"scheme":"none"}}})",
                                   static_cast<std::uint64_t>(seed), top, "fp"});
  db.logMetrics(fpRun, {{"test/acc", 1, 1, 0, fp}});
  db.setStatus(fpRun, store::RunStatus::Finished);
  const auto t = db.createRun({"t", R"({"quant":{"weights":{"scheme":"twn"}}})", static_cast<std::uint64_t>(seed), top, "t"});
  for (std::size_t i = 0; i < accs.size(); ++i) db.logMetrics(t, {{"test/acc", static_cast<std::int64_t>(i + 1), 1, 0, accs[i]}});
  db.setStatus(t, store::RunStatus::Finished);
  db.logMetrics(top, {{"test/acc", 1, 1, 0, fp}, {"test/acc", 2, 2, 0, accs.back()}});
  db.setStatus(top, store::RunStatus::Finished);
  return top;
}

}  // namespace

TEST(SeedGroupReport, ThreeSeedsOfAPipeline) {
  store::RunStore db(freshDb());
  const auto a = pipeline(db, "0.05", 1, 91.0, {89.0, 90.91});
  pipeline(db, "0.05", 2, 91.2, {90.52, 90.0});
  pipeline(db, "0.05", 3, 91.4, {88.0, 91.10});
  const auto group = db.run(a)->seedGroup;
  const auto g = report::seedGroupStats(db, group);
  ASSERT_EQ(g.runs.size(), 3u);
  EXPECT_EQ(g.seeds(), (std::vector<std::uint64_t>{1, 2, 3}));
  // Final: 90.91, 90.00, 91.10 → mean 90.67, s = 0.58796, t_{0.975,2}·s/√3 = 1.46058.
  EXPECT_NEAR(g.finalAcc.mean, 90.67, 1e-9);
  EXPECT_NEAR(g.finalAcc.ciHalf, 1.460580027623956, 1e-9);
  // Best of the ternary stage (not of the FP stage): 90.91, 90.52, 91.10.
  EXPECT_NEAR(g.bestAcc.mean, 90.84333333333333, 1e-9);
  // Gap to each run's own FP stage: 0.09, 1.2, 0.3.
  EXPECT_NEAR(g.fpGap.mean, 0.53, 1e-9);
  EXPECT_EQ(report::meanWithInterval(g.finalAcc), "90.67 ± 1.46 (n=3)");
}

TEST(SeedGroupReport, NewestRunOfASeedCountsOnce) {
  store::RunStore db(freshDb());
  const auto first = pipeline(db, "0.05", 1, 91.0, {80.0});
  pipeline(db, "0.05", 2, 91.0, {89.0});
  const auto again = pipeline(db, "0.05", 1, 91.0, {90.0});
  const auto g = report::seedGroupStats(db, db.run(first)->seedGroup);
  ASSERT_EQ(g.runs.size(), 2u);
  EXPECT_EQ(g.runs[0].runId, again);
  EXPECT_NEAR(g.finalAcc.mean, 89.5, 1e-12);
}

TEST(SeedGroupReport, SameSeedsArePairedOtherwiseWelch) {
  store::RunStore db(freshDb());
  std::int64_t a = 0, b = 0;
  const double accA[] = {89.1, 89.4, 89.3, 88.9, 89.6}, accB[] = {88.9, 89.3, 89.0, 88.9, 89.2};
  for (int s = 1; s <= 5; ++s) {
    a = pipeline(db, "0.05", s, 91.0, {accA[s - 1]});
    b = pipeline(db, "0.01", s, 91.0, {accB[s - 1]});
  }
  const auto ga = report::seedGroupStats(db, db.run(a)->seedGroup);
  const auto gb = report::seedGroupStats(db, db.run(b)->seedGroup);
  ASSERT_NE(ga.group, gb.group);
  const auto paired = report::compareGroups(ga, gb, report::SeedMetric::FinalAcc);
  EXPECT_EQ(paired.kind, report::TestKind::Paired);
  EXPECT_NEAR(paired.p, 0.04742065558431963, 1e-9);  // the hand value of StatisticsTest
  auto fewer = gb;
  fewer.runs.pop_back();
  const auto welch = report::compareGroups(ga, report::summarizeRuns(fewer.runs), report::SeedMetric::FinalAcc);
  EXPECT_EQ(welch.kind, report::TestKind::Welch);
  EXPECT_EQ(welch.nB, 4);
}
