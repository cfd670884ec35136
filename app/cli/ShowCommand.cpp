#include <cmath>
#include <cstdio>
#include <memory>

#include "Commands.h"
#include "report/SeedGroupReport.h"
#include "store/RunStore.h"
#include "store/MetricKeys.h"

namespace ternlab::cli {

namespace {

nlohmann::json summaryJson(const report::SampleSummary& s) {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return {{"n", s.n}, {"mean", num(s.mean)}, {"sd", num(s.sd)}, {"ci95_half_width", num(s.ciHalf)}, {"min", num(s.min)},
          {"max", num(s.max)}};
}

// The run's seed group: its finished top-level members (one per seed) and their statistics.
nlohmann::json seedGroupJson(store::RunStore& db, const store::RunRecord& r) {
  const auto g = report::seedGroupStats(db, r.seedGroup);
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& v : g.runs) runs.push_back({{"run", v.runId}, {"seed", v.seed}, {"final_test_acc", v.finalAcc}});
  return {{"key", r.seedGroup}, {"runs", runs}, {"final_test_acc", summaryJson(g.finalAcc)},
          {"best_test_acc", summaryJson(g.bestAcc)}, {"gap_to_fp", summaryJson(g.fpGap)}};
}

// The latest weight statistics of each layer (and branch) of a run.
std::vector<store::LayerStatRow> latestLayerStats(store::RunStore& db, std::int64_t run) {
  const auto rows = db.layerStats(run);
  if (rows.empty()) return {};
  const auto last = rows.back().step;
  std::vector<store::LayerStatRow> out;
  for (const auto& r : rows)
    if (r.step == last) out.push_back(r);
  return out;
}

nlohmann::json runJson(store::RunStore& db, const store::RunRecord& r) {
  nlohmann::json j{{"id", r.id}, {"uuid", r.uuid}, {"name", r.name}, {"kind", r.kind}, {"stage", r.stage},
                   {"status", store::runStatusName(r.status)}, {"lifecycle", r.lifecycle}, {"seed", r.seed}, {"created", r.created},
                   {"started", r.started}, {"ended", r.ended}, {"version", r.version}, {"git_commit", r.gitCommit},
                   {"error", r.error}, {"config_hash", r.configHash}};
  j["parent_id"] = r.parentId ? nlohmann::json(*r.parentId) : nlohmann::json(nullptr);
  j["note"] = db.note(r.id);
  j["tags"] = db.tags(r.id);
  j["config"] = nlohmann::json::parse(r.config, nullptr, false);
  nlohmann::json summary = nlohmann::json::object();
  for (const auto& s : db.summaries(r.id))
    summary[s.key] = {{"last", s.last}, {"last_step", s.lastStep}, {"min", s.min}, {"min_step", s.minStep},
                      {"max", s.max}, {"max_step", s.maxStep}};
  j["summary"] = summary;
  nlohmann::json epochs = nlohmann::json::array();
  std::map<int, nlohmann::json> byEpoch;
  for (const auto& m : db.metrics(r.id)) {
    if (m.key.rfind(store::metric::kTestPrefix, 0) == 0 || m.key == store::metric::kTrainAcc || m.key == store::metric::kEpochTrainLoss || m.key == store::metric::kEpochSeconds) {
      auto& e = byEpoch[m.epoch];
      e["epoch"] = m.epoch;
      e["step"] = m.step;
      e[m.key] = m.value;
    }
  }
  for (auto& [_, e] : byEpoch) epochs.push_back(e);
  j["epochs"] = epochs;
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : latestLayerStats(db, r.id))
    layers.push_back({{"layer", l.layer}, {"tensor", l.tensor}, {"branch", l.branch}, {"numel", l.numel},
                      {"density", l.density()}, {"frac_neg", l.fracNeg}, {"frac_zero", l.fracZero},
                      {"frac_pos", l.fracPos}, {"entropy", l.entropy}, {"thresholds", l.thresholds},
                      {"scales", l.scales}, {"step", l.step}});
  j["layers"] = layers;
  nlohmann::json arts = nlohmann::json::array();
  for (const auto& a : db.artefacts(r.id)) arts.push_back({{"kind", a.kind}, {"path", a.path}, {"bytes", a.bytes}});
  j["artefacts"] = arts;
  j["children"] = db.children(r.id);
  if (!r.parentId) j["seed_group"] = seedGroupJson(db, r);
  return j;
}

void printRun(const nlohmann::json& j) {
  std::printf("run %lld  %s  [%s]  %s\n", j["id"].get<long long>(), j["name"].get<std::string>().c_str(),
              j["status"].get<std::string>().c_str(), j["uuid"].get<std::string>().c_str());
  if (!j["error"].get<std::string>().empty()) std::printf("  error: %s\n", j["error"].get<std::string>().c_str());
  if (!j["note"].get<std::string>().empty()) std::printf("  note: %s\n", j["note"].get<std::string>().c_str());
  std::printf("  created %s  ended %s  TernLab %s (%s)  seed %llu\n", j["created"].get<std::string>().c_str(),
              j["ended"].get<std::string>().c_str(), j["version"].get<std::string>().c_str(),
              j["git_commit"].get<std::string>().c_str(), j["seed"].get<unsigned long long>());
  std::printf("config:\n%s\n", j["config"].dump(2).c_str());
  std::printf("epochs:\n  %5s %10s %10s %10s %10s %8s\n", "epoch", "train acc", "test loss", "test acc", "top5", "sec");
  for (const auto& e : j["epochs"])
    std::printf("  %5d %10.2f %10.4f %10.2f %10.2f %8.1f\n", e.value("epoch", 0), e.value(store::metric::kTrainAcc, NAN),
                e.value(store::metric::kTestLoss, NAN), e.value(store::metric::kTestAcc, NAN), e.value(store::metric::kTestTop5, NAN),
                e.value(store::metric::kEpochSeconds, NAN));
  std::printf("final metrics:\n");
  for (auto it = j["summary"].begin(); it != j["summary"].end(); ++it)
    std::printf("  %-22s last %10.4f  min %10.4f  max %10.4f\n", it.key().c_str(), it.value()["last"].get<double>(),
                it.value()["min"].get<double>(), it.value()["max"].get<double>());
  if (!j["layers"].empty()) {
    std::printf("layers (step %lld):\n  %-10s %-10s %6s %9s %8s %7s %7s %7s %8s\n",
                j["layers"][0]["step"].get<long long>(), "layer", "tensor", "branch", "numel", "density", "-1", "0",
                "+1", "entropy");
    for (const auto& l : j["layers"])
      std::printf("  %-10s %-10s %6d %9lld %7.2f%% %7.3f %7.3f %7.3f %8.3f\n", l["layer"].get<std::string>().c_str(),
                  l["tensor"].get<std::string>().c_str(), l["branch"].get<int>(), l["numel"].get<long long>(),
                  100 * l["density"].get<double>(), l["frac_neg"].get<double>(), l["frac_zero"].get<double>(),
                  l["frac_pos"].get<double>(), l["entropy"].get<double>());
  }
  if (!j["children"].empty()) std::printf("stages (child runs): %s\n", j["children"].dump().c_str());
  if (j.contains("seed_group") && j["seed_group"]["runs"].size() > 1) {
    const auto& g = j["seed_group"];
    const auto& f = g["final_test_acc"];
    std::printf("seed group %s: %zu seeds, final test acc %.2f ± %.2f (95 %% CI), runs", g["key"].get<std::string>().c_str(),
                g["runs"].size(), f["mean"].get<double>(), f["ci95_half_width"].is_null() ? NAN : f["ci95_half_width"].get<double>());
    for (const auto& m : g["runs"]) std::printf(" %lld", m["run"].get<long long>());
    std::printf("\n");
  }
}

}  // namespace

void addShowCommand(CLI::App& app, int& exitCode) {
  auto a = std::make_shared<StoredRunArgs>();
  auto* cmd = app.add_subcommand("show", "Show one run: config, per-epoch and final metrics, per-layer density");
  cmd->add_option("id", a->id, "run id")->required();
  cmd->add_option("--db", a->store.db, "run database");
  cmd->add_flag("--json", a->json, "one JSON document on stdout");
  cmd->callback([a, &exitCode] {
    store::RunStore db(a->store.path());
    db.markStaleRunsInterrupted();
    const auto r = db.run(a->id);
    if (!r) {
      std::fprintf(stderr, "error: no run %lld in %s\n", static_cast<long long>(a->id), db.path().c_str());
      exitCode = 1;
      return;
    }
    auto j = runJson(db, *r);
    if (a->json) {
      nlohmann::json stages = nlohmann::json::array();
      for (auto child : db.children(r->id)) stages.push_back(runJson(db, *db.run(child)));
      j["stages"] = stages;
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      printRun(j);
      for (auto child : db.children(r->id)) {
        std::printf("\n");
        printRun(runJson(db, *db.run(child)));
      }
    }
  });
}

}  // namespace ternlab::cli
