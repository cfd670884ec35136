#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "report/SeedGroupReport.h"
#include "store/RunStore.h"

namespace ternlab::cli {

// What the results tables know of a run (or a pipeline and its stages), read from its stored configs.
struct ResultRow {
  std::int64_t id = 0;
  std::uint64_t seed = 0;
  std::string seedGroup;
  std::string name, arch, weights, activations, tags;
  std::string activation = "relu";  // the model's nonlinearity (model.activation): relu or rprelu
  report::SeedRunValues values;  // the accuracies seed statistics use (final, best, FP stage)
  double meanDensity = 0, seconds = 0;
  double minDensity = 0, maxDensity = 0;  // over every ternary weight tensor (and REL branch), last step
  int epochs = 0;
  int stages = 1;  // the pipeline's stages (1 for a plain run)
  // What the derived tables select on (from the last stage's config).
  std::string weightScheme = "none", actScheme = "none";
  bool symmetric = false, uniform = false, distilled = false;
  bool endsFp = true;  // first and last layer full precision (the papers' setting)
  int branches = 1;
  double lambda = 0;
  std::string betas;
  std::string activationsPlain;  // the activation scheme without the "(KD λ=…)" suffix
  bool ternary() const { return weightScheme != "none" || actScheme != "none"; }
};
ResultRow rowFor(store::RunStore& db, const store::RunRecord& run);

// The model as the derived tables group it: the architecture, and its nonlinearity when that is not ReLU.
std::string modelLabel(const ResultRow& r);

// One experiment over its seeds: the newest run describes it, the statistics cover one run per seed.
struct ResultGroup {
  ResultRow row;                   // the newest run of the group
  std::vector<std::int64_t> runs;  // the runs the statistics use, in seed order
  report::SeedGroupStats stats;
  double meanSeconds = 0;
  int n() const { return stats.finalAcc.n; }
  // The accuracy a table ranks by: the ternary (final) accuracy, or the FP run's own.
  const report::SampleSummary& acc() const { return stats.finalAcc; }
};
// Groups rows by seed group (first appearance order).
std::vector<ResultGroup> groupRows(const std::vector<ResultRow>& rows);

// Of several groups that match one table cell, the one with the most seeds (then the newest).
const ResultGroup* preferred(const ResultGroup* a, const ResultGroup* b);

// Table cells: "89.41 ± 0.12 (n=5)", a plain number, run ids.
std::string pct(double v);
std::string cell(const report::SampleSummary& s);
std::string runList(const ResultGroup& g);

}  // namespace ternlab::cli
