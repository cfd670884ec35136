#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "report/Statistics.h"
#include "store/RunRecords.h"

namespace ternlab::store {
class RunStore;
}

namespace ternlab::report {

// The numbers of one finished run that seed statistics are made of. A pipeline's final accuracy is its
// last stage's, its best is the best epoch of that stage, and its FP accuracy is its full-precision stage's
// (NaN when it has none; then the gap is NaN too).
struct SeedRunValues {
  std::int64_t runId = 0;
  std::uint64_t seed = 0;
  double finalAcc = 0, bestAcc = 0, fpAcc = 0;
  double gap() const { return fpAcc - finalAcc; }
};
SeedRunValues seedRunValues(store::RunStore& db, const store::RunRecord& run);

// Which number of a run a statistic is about.
enum class SeedMetric { FinalAcc, BestAcc, FpGap };
double valueOf(const SeedRunValues& v, SeedMetric m);

// A seed group as results show it: one run per seed (the newest finished one), in seed order, and the
// summaries of its final and best accuracy and of its gap to its own FP stage.
struct SeedGroupStats {
  std::string group;
  std::vector<SeedRunValues> runs;
  SampleSummary finalAcc, bestAcc, fpGap;
  SampleSummary fpAcc;  // the FP stages' accuracy (n = 0 for plain runs)
  std::vector<std::uint64_t> seeds() const;
};
// Keeps the newest run of each seed and summarises them.
SeedGroupStats summarizeRuns(std::vector<SeedRunValues> runs, const std::string& group = "");
// The finished top-level runs of a seed group in the store.
SeedGroupStats seedGroupStats(store::RunStore& db, const std::string& group);

// Compares two groups on one number: the paired t test when both have the same seeds (two or more),
// Welch's test otherwise.
Comparison compareGroups(const SeedGroupStats& a, const SeedGroupStats& b, SeedMetric m);

// "89.41 ± 0.12 (n=5)": the mean with the half-width of its 95 % interval, or "89.41 (n=1)".
std::string meanWithInterval(const SampleSummary& s, int decimals = 2);

}  // namespace ternlab::report
