#include "report/SeedGroupReport.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "store/RunStore.h"
#include "store/MetricKeys.h"

namespace ternlab::report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool isFullPrecision(const std::string& configJson) {
  const auto cfg = nlohmann::json::parse(configJson, nullptr, false);
  if (!cfg.is_object() || !cfg.contains("quant")) return false;
  const auto& q = cfg["quant"];
  auto none = [&](const char* kind) { return !q.contains(kind) || q[kind].value("scheme", "none") == "none"; };
  return none("weights") && none("activations");
}

void lastAndBest(store::RunStore& db, std::int64_t run, double& last, double& best) {
  last = best = kNaN;
  for (const auto& s : db.summaries(run))
    if (s.key == store::metric::kTestAcc) {
      last = s.last;
      best = s.max;
    }
}

}  // namespace

SeedRunValues seedRunValues(store::RunStore& db, const store::RunRecord& run) {
  SeedRunValues v;
  v.runId = run.id;
  v.seed = run.seed;
  v.fpAcc = kNaN;
  const auto stages = db.children(run.id);
  const std::int64_t last = stages.empty() ? run.id : stages.back();
  lastAndBest(db, last, v.finalAcc, v.bestAcc);
  for (const auto id : stages)  // a plain run has no FP stage, so no gap
    if (const auto rec = db.run(id); rec && isFullPrecision(rec->config)) {
      double best = 0;
      lastAndBest(db, id, v.fpAcc, best);
      break;
    }
  return v;
}

double valueOf(const SeedRunValues& v, SeedMetric m) {
  switch (m) {
    case SeedMetric::FinalAcc: return v.finalAcc;
    case SeedMetric::BestAcc: return v.bestAcc;
    case SeedMetric::FpGap: return v.gap();
  }
  return kNaN;
}

std::vector<std::uint64_t> SeedGroupStats::seeds() const {
  std::vector<std::uint64_t> s;
  for (const auto& r : runs) s.push_back(r.seed);
  return s;
}

SeedGroupStats summarizeRuns(std::vector<SeedRunValues> runs, const std::string& group) {
  std::map<std::uint64_t, SeedRunValues> bySeed;  // the newest run (highest id) of each seed
  for (const auto& r : runs)
    if (auto it = bySeed.find(r.seed); it == bySeed.end() || it->second.runId < r.runId) bySeed[r.seed] = r;
  SeedGroupStats g;
  g.group = group;
  for (const auto& [seed, r] : bySeed) g.runs.push_back(r);
  auto collect = [&](auto valueOfRun) {  // over the runs that have the value
    std::vector<double> x;
    for (const auto& r : g.runs)
      if (const double v = valueOfRun(r); !std::isnan(v)) x.push_back(v);
    return summarize(x);
  };
  g.finalAcc = collect([](const SeedRunValues& r) { return r.finalAcc; });
  g.bestAcc = collect([](const SeedRunValues& r) { return r.bestAcc; });
  g.fpGap = collect([](const SeedRunValues& r) { return r.gap(); });
  g.fpAcc = collect([](const SeedRunValues& r) { return r.fpAcc; });
  return g;
}

SeedGroupStats seedGroupStats(store::RunStore& db, const std::string& group) {
  store::RunFilter f;
  f.topLevelOnly = true;
  f.status = store::RunStatus::Finished;
  f.seedGroup = group;
  std::vector<SeedRunValues> runs;
  for (const auto& r : db.listRuns(f)) runs.push_back(seedRunValues(db, r));
  return summarizeRuns(std::move(runs), group);
}

Comparison compareGroups(const SeedGroupStats& a, const SeedGroupStats& b, SeedMetric m) {
  auto values = [&](const SeedGroupStats& g) {
    std::vector<double> x;
    for (const auto& r : g.runs) x.push_back(valueOf(r, m));
    return x;
  };
  const auto xa = values(a), xb = values(b);
  const bool anyNaN = std::any_of(xa.begin(), xa.end(), [](double v) { return std::isnan(v); }) ||
                      std::any_of(xb.begin(), xb.end(), [](double v) { return std::isnan(v); });
  if (!anyNaN && a.runs.size() >= 2 && a.seeds() == b.seeds()) return pairedTest(xa, xb);
  auto finite = [](std::vector<double> x) {
    x.erase(std::remove_if(x.begin(), x.end(), [](double v) { return std::isnan(v); }), x.end());
    return x;
  };
  return welchTest(finite(xa), finite(xb));
}

std::string meanWithInterval(const SampleSummary& s, int decimals) {
  if (s.n == 0) return "–";
  char buf[64];
  if (s.hasSpread())
    std::snprintf(buf, sizeof buf, "%.*f ± %.*f (n=%d)", decimals, s.mean, decimals, s.ciHalf, s.n);
  else
    std::snprintf(buf, sizeof buf, "%.*f (n=%d)", decimals, s.mean, s.n);
  return buf;
}

}  // namespace ternlab::report
