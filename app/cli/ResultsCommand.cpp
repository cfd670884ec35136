#include <algorithm>
#include <cmath>
#include <tuple>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "Commands.h"
#include "store/RunStore.h"

namespace ternlab::cli {

using nlohmann::json;

namespace {

struct ResultsArgs {
  StoreOptions store;
  std::string out;
};

// One line of the results table, gathered from a run (or a pipeline and its stages).
struct ResultRow {
  std::int64_t id = 0;
  std::string name, arch, weights, activations, tags;
  std::string activation = "relu";  // the model's nonlinearity (model.activation): relu or rprelu
  double fpAcc = NAN, ternaryAcc = NAN, meanDensity = NAN, seconds = 0;
  double minDensity = NAN, maxDensity = NAN;  // over every ternary weight tensor (and REL branch), last step
  int epochs = 0;
  int stages = 1;  // the pipeline's stages (1 for a plain run)
  // What the derived tables select on (from the last stage's config).
  std::string weightScheme = "none", actScheme = "none";
  bool symmetric = false, uniform = false, distilled = false;
  int branches = 1;
  double lambda = NAN;
  std::string betas;
  std::string activationsPlain;  // the activation scheme without the "(KD λ=…)" suffix
};

double lastOf(store::RunStore& db, std::int64_t run, const std::string& key) {
  for (const auto& s : db.summaries(run))
    if (s.key == key) return s.last;
  return NAN;
}

double secondsOf(store::RunStore& db, std::int64_t run) {
  double total = 0;
  for (const auto& m : db.metrics(run, "epoch/seconds")) total += m.value;
  return total;
}

std::string schemeOf(const json& cfg, const char* kind) {
  const auto& q = cfg["quant"][kind];
  std::string s = q.value("scheme", "none");
  if (s == "none") return "fp";
  if (s == "asym" && q.contains("options") && q["options"].value("symmetric", 0.0) != 0) s = "asym/symmetric";
  if (q.contains("factor")) {
    std::ostringstream f;
    f << q["factor"].get<double>();
    s += " " + f.str();
  }
  if (q.value("branches", 1) > 1) s += " T_ex=" + std::to_string(q["branches"].get<int>());
  if (q.value("uniform", "off") != "off") s += " +uniform";
  if (q.contains("options") && q["options"].value("signed_act", 0.0) != 0) s += " signed";
  return s;
}

ResultRow rowFor(store::RunStore& db, const store::RunRecord& r) {
  ResultRow row;
  row.id = r.id;
  row.name = r.name;
  for (const auto& t : db.tags(r.id)) row.tags += (row.tags.empty() ? "" : ", ") + t;
  std::vector<std::int64_t> stages = db.children(r.id);
  if (stages.empty()) stages.push_back(r.id);
  row.stages = static_cast<int>(stages.size());
  for (auto id : stages) {
    const auto rec = db.run(id);
    const auto cfg = json::parse(rec->config, nullptr, false);
    row.epochs += cfg.value("epochs", 0);
    row.seconds += secondsOf(db, id);
    const bool fp = cfg["quant"]["weights"].value("scheme", "none") == "none" &&
                    cfg["quant"]["activations"].value("scheme", "none") == "none";
    const double acc = lastOf(db, id, "test/acc");
    if (fp) row.fpAcc = acc;
    else row.ternaryAcc = acc;
    row.arch = cfg["model"].value("arch", "");
    row.activation = cfg["model"].value("activation", "relu");
    if (!fp) {
      const auto& w = cfg["quant"]["weights"];
      row.weightScheme = w.value("scheme", "none");
      row.actScheme = cfg["quant"]["activations"].value("scheme", "none");
      row.symmetric = w.contains("options") && w["options"].value("symmetric", 0.0) != 0;
      row.uniform = w.value("uniform", "off") != "off";
      row.branches = w.value("branches", 1);
      row.betas = w.contains("betas") ? w["betas"].dump() : "";
      row.distilled = !cfg["distill"].value("teacher", "").empty();
      row.lambda = row.distilled ? cfg["distill"].value("lambda", NAN) : NAN;
      row.weights = schemeOf(cfg, "weights");
      row.activations = row.activationsPlain = schemeOf(cfg, "activations");
      if (!cfg["distill"].value("teacher", "").empty()) row.activations += " (KD λ=" + cfg["distill"]["lambda"].dump() + ")";
    }
  }
  if (row.weights.empty()) row.weights = row.activations = "fp";
  // Mean weight density over the ternary layers at the last recorded step of the last stage.
  const auto stats = db.layerStats(stages.back());
  if (!stats.empty()) {
    const auto last = stats.back().step;
    double sum = 0;
    int n = 0;
    for (const auto& s : stats)
      if (s.step == last && s.tensor == "weight") {
        sum += s.density();
        ++n;
        row.minDensity = std::isnan(row.minDensity) ? s.density() : std::min(row.minDensity, s.density());
        row.maxDensity = std::isnan(row.maxDensity) ? s.density() : std::max(row.maxDensity, s.density());
      }
    if (n) row.meanDensity = sum / n;
  }
  return row;
}

// The model as the derived tables group it: the architecture, and its nonlinearity when that is not ReLU.
std::string modelLabel(const ResultRow& r) { return r.activation == "relu" ? r.arch : r.arch + " + " + r.activation; }

std::string pct(double v) {
  if (std::isnan(v)) return "–";
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

std::string densityRange(const ResultRow& r) {
  if (std::isnan(r.minDensity)) return "–";
  return pct(100 * r.minDensity) + "–" + pct(100 * r.maxDensity) + " %";
}

// The asymmetric paper's Table 3 on our data: symmetric / asymmetric thresholds × uniform off / on, W+A
// ternary, no distillation; one table per model, the newest run of each cell.
void table3(std::ostringstream& md, const std::vector<ResultRow>& rows) {
  std::map<std::string, std::map<std::pair<bool, bool>, const ResultRow*>> cells;  // arch → (sym, uniform)
  for (const auto& r : rows)
    if (r.weightScheme == "asym" && r.actScheme == "asym" && !r.distilled) cells[modelLabel(r)][{r.symmetric, r.uniform}] = &r;
  for (const auto& [arch, c] : cells) {
    md << "\n## Table 3 ablation (asymmetric paper), " << arch
       << ": test accuracy % (run), W and A ternary\n\n| thresholds | uniform off | uniform on (eq. 9) |\n|---|---:|---:|\n";
    for (bool sym : {true, false}) {
      md << "| " << (sym ? "symmetric (Δn = −Δp)" : "asymmetric (Δp, Δn learned)");
      for (bool uni : {false, true}) {
        auto it = c.find({sym, uni});
        md << " | " << (it == c.end() ? std::string("–")
                                      : pct(it->second->ternaryAcc) + " (" + std::to_string(it->second->id) + ")");
      }
      md << " |\n";
    }
  }
}

// He et al.'s residual expansion: accuracy and density against T_ex (ics weights, β list per branch).
void relTable(std::ostringstream& md, const std::vector<ResultRow>& rows) {
  std::vector<const ResultRow*> rel;
  for (const auto& r : rows)
    if (r.weightScheme == "ics" && !r.distilled) rel.push_back(&r);
  if (rel.empty()) return;
  std::sort(rel.begin(), rel.end(), [](auto* a, auto* b) { return std::tie(a->arch, a->branches, a->id) < std::tie(b->arch, b->branches, b->id); });
  md << "\n## REL (He et al.): T_ex\n\n| run | model | weights | activations | T_ex | β list | FP acc | ternary acc | gap | "
        "density per tensor (min–max) |\n|---:|---|---|---|---:|---|---:|---:|---:|---|\n";
  for (const auto* r : rel)
    md << "| " << r->id << " | " << r->arch << " | " << r->weights << " | " << r->activations << " | " << r->branches
       << " | " << (r->betas.empty() || r->betas == "[]" ? std::string("–") : r->betas) << " | " << pct(r->fpAcc)
       << " | " << pct(r->ternaryAcc) << " | " << pct(r->fpAcc - r->ternaryAcc) << " | " << densityRange(*r) << " |\n";
}

// Two-stage distillation: final accuracy against λ (loss = λ·KD + (1−λ)·CE), newest run per λ.
void lambdaCurve(std::ostringstream& md, const std::vector<ResultRow>& rows) {
  std::map<std::string, std::map<double, const ResultRow*>> curves;
  for (const auto& r : rows)
    if (r.distilled && !std::isnan(r.lambda)) curves[modelLabel(r) + ", " + r.weights + " / " + r.activationsPlain][r.lambda] = &r;
  for (const auto& [what, pts] : curves) {
    if (pts.size() < 2) continue;
    md << "\n## λ curve: " << what << "\n\n| λ | ternary acc | FP teacher | run |\n|---:|---:|---:|---:|\n";
    double best = -1;
    for (const auto& [l, r] : pts) best = std::max(best, r->ternaryAcc);
    for (const auto& [l, r] : pts) {
      char b[16];
      std::snprintf(b, sizeof b, "%.1f", l);
      md << "| " << b << " | " << pct(r->ternaryAcc) << (r->ternaryAcc == best ? " **best**" : "") << " | "
         << pct(r->fpAcc) << " | " << r->id << " |\n";
    }
  }
}

// The asymmetric paper's claim, per model: the runs with ternary weights and activations that had the same total epoch budget
// (FP stage included), best first, with their gap to their own FP stage. Only budgets with at least two schemes.
void budgetTable(std::ostringstream& md, const std::vector<ResultRow>& rows) {
  std::map<std::pair<std::string, int>, std::vector<const ResultRow*>> groups;  // (arch, epochs)
  for (const auto& r : rows)
    if (r.weightScheme != "none" && r.actScheme != "none" && !std::isnan(r.ternaryAcc))
      groups[{r.arch, r.epochs}].push_back(&r);
  for (auto& [key, g] : groups) {
    std::map<std::string, const ResultRow*> newest;  // one row per scheme and stage count: the newest run
    for (const auto* r : g)
      newest[r->weights + " / " + r->activations + " / " + std::to_string(r->stages) + " / " + r->activation] = r;
    if (newest.size() < 2) continue;
    std::vector<const ResultRow*> best;
    for (const auto& [what, r] : newest) best.push_back(r);
    std::sort(best.begin(), best.end(), [](auto* a, auto* b) { return a->ternaryAcc > b->ternaryAcc; });
    md << "\n## Same budget, W and A ternary: " << key.first << ", " << key.second
       << " epochs in all (FP stage included)\n\n| rank | run | stages | nonlinearity | weights | activations | FP acc | "
          "ternary acc | gap | within 0.5 of FP |\n|---:|---:|---:|---|---|---|---:|---:|---:|---|\n";
    int rank = 0;
    for (const auto* r : best) {
      const double gap = r->fpAcc - r->ternaryAcc;
      md << "| " << ++rank << " | " << r->id << " | " << r->stages << " | " << r->activation << " | " << r->weights << " | "
         << r->activations << " | "
         << pct(r->fpAcc) << " | " << pct(r->ternaryAcc) << " | " << pct(gap) << " | "
         << (std::isnan(gap) ? "–" : gap <= 0.5 ? "yes" : "no") << " |\n";
    }
  }
}

}  // namespace

void addResultsCommand(CLI::App& app, int& exitCode) {
  auto a = std::make_shared<ResultsArgs>();
  auto* cmd = app.add_subcommand("results", "Write the results tables (experiments/RESULTS.md) from the run store");
  cmd->add_option("--db", a->store.db, "run database");
  cmd->add_option("--out", a->out, "Markdown file to write (default: stdout)");
  cmd->callback([a, &exitCode] {
    store::RunStore db(a->store.path());
    db.markStaleRunsInterrupted();
    store::RunFilter f;
    f.topLevelOnly = true;
    f.status = "finished";
    std::map<std::string, std::vector<ResultRow>> byGroup;  // sweep tag, or the model for untagged runs
    std::vector<ResultRow> all;
    auto runs = db.listRuns(f);
    std::sort(runs.begin(), runs.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
    for (const auto& r : runs) {
      if (r.kind == "bench") continue;
      auto row = rowFor(db, r);
      byGroup[row.tags.empty() ? "runs: " + row.arch : "tag: " + row.tags].push_back(row);
      all.push_back(row);
    }
    std::ostringstream md;
    md << "# TernLab results\n\nGenerated by `ternlab-cli results` from `" << db.path()
       << "`. Accuracies are top-1 on the test split (%) at the end of training; FP is the pipeline's "
          "full-precision stage (or the FP run itself), gap = FP − ternary; density is the mean fraction of "
          "non-zero ternary weights over the quantized layers (min–max: the extremes over layers and REL "
          "branches); time is the sum of epoch times.\n";
    budgetTable(md, all);
    table3(md, all);
    relTable(md, all);
    lambdaCurve(md, all);
    for (const auto& [group, rows] : byGroup) {
      md << "\n## " << group << "\n\n| run | name | nonlinearity | weights | activations | FP acc | ternary acc | gap | "
            "mean density | density min–max | epochs | time (s) |\n"
         << "|---:|---|---|---|---|---:|---:|---:|---:|---|---:|---:|\n";
      for (const auto& r : rows) {
        const double gap = r.fpAcc - r.ternaryAcc;
        md << "| " << r.id << " | " << r.name << " | " << r.activation << " | " << r.weights << " | " << r.activations
           << " | " << pct(r.fpAcc)
           << " | " << pct(r.ternaryAcc) << " | " << pct(gap) << " | "
           << (std::isnan(r.meanDensity) ? std::string("–") : pct(100 * r.meanDensity) + " %") << " | "
           << densityRange(r) << " | " << r.epochs
           << " | " << pct(r.seconds) << " |\n";
      }
    }
    if (a->out.empty()) {
      std::printf("%s", md.str().c_str());
    } else {
      std::ofstream(a->out) << md.str();
      std::fprintf(stderr, "wrote %s\n", a->out.c_str());
    }
    (void)exitCode;
  });
}

}  // namespace ternlab::cli
