#include "ResultTables.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace ternlab::cli {

using report::SeedMetric;

std::vector<TestedPair> holmFamily(std::vector<std::pair<std::string, report::Comparison>> tests) {
  std::vector<double> p;
  for (const auto& t : tests) p.push_back(t.second.p);
  const auto adjusted = report::holmAdjust(p);
  std::vector<TestedPair> out;
  for (std::size_t i = 0; i < tests.size(); ++i) out.push_back({tests[i].first, tests[i].second, adjusted[i]});
  return out;
}

int familySize(const std::vector<TestedPair>& family) {
  return static_cast<int>(std::count_if(family.begin(), family.end(), [](const auto& t) { return !std::isnan(t.adjustedP); }));
}

std::string describe(const TestedPair& t) {
  char b[256];
  const auto& c = t.test;
  if (!c.valid()) {
    std::snprintf(b, sizeof b, "%+.2f points (n = %d/%d: too few seeds to test)", c.meanDiff, c.nA, c.nB);
    return b;
  }
  std::snprintf(b, sizeof b, "%+.2f points (d = %.2f, %s, df = %.1f, n = %d/%d): p = %.3g, Holm p = %.3g, %s", c.meanDiff,
                c.effect, report::testKindName(c.kind), c.df, c.nA, c.nB, c.p, t.adjustedP,
                t.significant() ? "**significant**" : "not significant");
  return b;
}

namespace {

std::string densityRange(const ResultRow& r) {
  if (std::isnan(r.minDensity)) return "–";
  return pct(100 * r.minDensity) + "–" + pct(100 * r.maxDensity) + " %";
}

void listFamily(std::ostringstream& md, const std::vector<TestedPair>& family) {
  if (family.empty()) return;
  md << "\nDifferences in final accuracy, Holm-corrected over the m = " << familySize(family)
     << " comparisons of this table (α = " << kAlpha << "):\n\n";
  for (const auto& t : family) md << "- " << t.label << ": " << describe(t) << "\n";
}

// The FP column of a table: the pipeline's FP stage, or an FP run's own accuracy.
const report::SampleSummary& fpOf(const ResultGroup& g) { return g.row.ternary() ? g.stats.fpAcc : g.stats.finalAcc; }

}  // namespace

// The asymmetric paper's claim, per model: the W+A ternary experiments with the same total epoch budget
// (FP stage included), best mean first, each compared with the best.
void budgetTable(std::ostringstream& md, const std::vector<ResultGroup>& groups) {
  std::map<std::pair<std::string, int>, std::map<std::string, const ResultGroup*>> budgets;  // (arch, epochs) → scheme
  for (const auto& g : groups) {
    const auto& r = g.row;
    if (r.weightScheme == "none" || r.actScheme == "none" || g.n() == 0) continue;
    auto& slot = budgets[{r.arch, r.epochs}][r.weights + " / " + r.activations + " / " + std::to_string(r.stages) + " / " +
                                             r.activation];
    slot = preferred(slot, &g);
  }
  for (const auto& [key, bySchemes] : budgets) {
    if (bySchemes.size() < 2) continue;
    std::vector<const ResultGroup*> ranked;
    for (const auto& [what, g] : bySchemes) ranked.push_back(g);
    std::stable_sort(ranked.begin(), ranked.end(), [](auto* a, auto* b) { return a->acc().mean > b->acc().mean; });
    std::vector<std::pair<std::string, report::Comparison>> tests;
    for (std::size_t i = 1; i < ranked.size(); ++i)
      tests.push_back({"", report::compareGroups(ranked[i]->stats, ranked[0]->stats, SeedMetric::FinalAcc)});
    const auto family = holmFamily(tests);
    md << "\n## Same budget, W and A ternary: " << key.first << ", " << key.second
       << " epochs in all (FP stage included)\n\nMean ± 95 % CI over seeds (n); vs best: the difference to rank 1, * where "
          "significant (Holm over m = "
       << familySize(family)
       << ").\n\n| rank | runs | stages | nonlinearity | weights | activations | FP acc | ternary acc | gap | within 0.5 of FP | "
          "vs best |\n|---:|---|---:|---|---|---|---:|---:|---:|---|---|\n";
    for (std::size_t i = 0; i < ranked.size(); ++i) {
      const auto& g = *ranked[i];
      const double gap = g.stats.fpGap.mean;
      std::string vs = "–";
      if (i > 0) {
        const auto& t = family[i - 1];
        char b[64];
        if (t.test.valid())
          std::snprintf(b, sizeof b, "%+.2f, p = %.2g%s", t.test.meanDiff, t.adjustedP, t.significant() ? " *" : "");
        else
          std::snprintf(b, sizeof b, "%+.2f", t.test.meanDiff);
        vs = b;
      }
      md << "| " << i + 1 << " | " << runList(g) << " | " << g.row.stages << " | " << g.row.activation << " | " << g.row.weights
         << " | " << g.row.activations << " | " << cell(g.stats.fpAcc) << " | " << cell(g.stats.finalAcc) << " | "
         << cell(g.stats.fpGap) << " | " << (g.stats.fpGap.n == 0 ? "–" : gap <= 0.5 ? "yes" : "no") << " | " << vs << " |\n";
    }
  }
}

// The asymmetric paper's Table 3 on our data: symmetric / asymmetric thresholds × uniform off / on, W+A ternary,
// no distillation; one table per model.
void table3(std::ostringstream& md, const std::vector<ResultGroup>& groups) {
  std::map<std::string, std::map<std::pair<bool, bool>, const ResultGroup*>> cells;  // model → (sym, uniform)
  for (const auto& g : groups)
    if (g.row.weightScheme == "asym" && g.row.actScheme == "asym" && !g.row.distilled && g.row.endsFp && g.n() > 0) {
      auto& slot = cells[modelLabel(g.row)][{g.row.symmetric, g.row.uniform}];
      slot = preferred(slot, &g);
    }
  for (const auto& [model, byThresholds] : cells) {
    const auto& c = byThresholds;  // a lambda below uses it: C++17 lambdas cannot capture structured bindings
    md << "\n## Table 3 ablation (asymmetric paper), " << model
       << ": test accuracy %, mean ± 95 % CI (runs), W and A ternary\n\n| thresholds | uniform off | uniform on (eq. 9) |\n"
          "|---|---:|---:|\n";
    for (bool sym : {true, false}) {
      md << "| " << (sym ? "symmetric (Δn = −Δp)" : "asymmetric (Δp, Δn learned)");
      for (bool uni : {false, true}) {
        auto it = c.find({sym, uni});
        md << " | " << (it == c.end() ? std::string("–") : cell(it->second->acc()) + " (" + runList(*it->second) + ")");
      }
      md << " |\n";
    }
    std::vector<std::pair<std::string, report::Comparison>> tests;
    auto add = [&](const std::string& label, std::pair<bool, bool> a, std::pair<bool, bool> b) {
      if (c.count(a) && c.count(b)) tests.push_back({label, report::compareGroups(c.at(a)->stats, c.at(b)->stats, SeedMetric::FinalAcc)});
    };
    add("asymmetric − symmetric, uniform off", {false, false}, {true, false});
    add("asymmetric − symmetric, uniform on", {false, true}, {true, true});
    add("uniform on − off, symmetric", {true, true}, {true, false});
    add("uniform on − off, asymmetric", {false, true}, {false, false});
    listFamily(md, holmFamily(tests));
  }
}

// He et al.'s residual expansion: accuracy and density against T_ex (ics weights, β list per branch).
void relTable(std::ostringstream& md, const std::vector<ResultGroup>& groups) {
  std::vector<const ResultGroup*> rel;
  for (const auto& g : groups)
    if (g.row.weightScheme == "ics" && !g.row.distilled && g.n() > 0) rel.push_back(&g);
  if (rel.empty()) return;
  std::sort(rel.begin(), rel.end(), [](auto* a, auto* b) {
    return std::tie(a->row.arch, a->row.branches, a->row.weights, a->row.id) < std::tie(b->row.arch, b->row.branches, b->row.weights, b->row.id);
  });
  md << "\n## REL (He et al.): T_ex\n\n| runs | model | weights | activations | T_ex | β list | FP acc | ternary acc | gap | "
        "density per tensor (min–max) |\n|---|---|---|---|---:|---|---:|---:|---:|---|\n";
  std::map<std::string, std::map<int, const ResultGroup*>> byT;  // model → T_ex → group
  for (const auto* g : rel) {
    const auto& r = g->row;
    md << "| " << runList(*g) << " | " << r.arch << " | " << r.weights << " | " << r.activations << " | " << r.branches << " | "
       << (r.betas.empty() || r.betas == "[]" ? std::string("–") : r.betas) << " | " << cell(g->stats.fpAcc) << " | "
       << cell(g->stats.finalAcc) << " | " << cell(g->stats.fpGap) << " | " << densityRange(r) << " |\n";
    auto& slot = byT[modelLabel(r)][r.branches];
    slot = preferred(slot, g);
  }
  std::vector<std::pair<std::string, report::Comparison>> tests;
  for (const auto& [model, ts] : byT)
    for (auto it = std::next(ts.begin()); ts.size() > 1 && it != ts.end(); ++it) {
      const auto prev = std::prev(it);
      tests.push_back({model + ": T_ex = " + std::to_string(it->first) + " − T_ex = " + std::to_string(prev->first),
                       report::compareGroups(it->second->stats, prev->second->stats, SeedMetric::FinalAcc)});
    }
  listFamily(md, holmFamily(tests));
}

// Two-stage distillation: final accuracy against λ (loss = λ·KD + (1−λ)·CE), each λ against the best one.
void lambdaCurve(std::ostringstream& md, const std::vector<ResultGroup>& groups) {
  std::map<std::string, std::map<double, const ResultGroup*>> curves;
  for (const auto& g : groups)
    if (g.row.distilled && !std::isnan(g.row.lambda) && g.n() > 0) {
      auto& slot = curves[modelLabel(g.row) + ", " + std::to_string(g.row.stages) + " stages, " + g.row.weights + " / " +
                          g.row.activationsPlain][g.row.lambda];
      slot = preferred(slot, &g);
    }
  for (const auto& [what, pts] : curves) {
    if (pts.size() < 2) continue;
    const ResultGroup* best = nullptr;
    for (const auto& [l, g] : pts)
      if (!best || g->acc().mean > best->acc().mean) best = g;
    md << "\n## λ curve: " << what << "\n\n| λ | ternary acc | FP teacher | runs |\n|---:|---:|---:|---|\n";
    std::vector<std::pair<std::string, report::Comparison>> tests;
    for (const auto& [l, g] : pts) {
      char b[16];
      std::snprintf(b, sizeof b, "%.1f", l);
      md << "| " << b << " | " << cell(g->acc()) << (g == best ? " **best**" : "") << " | " << cell(g->stats.fpAcc) << " | "
         << runList(*g) << " |\n";
      if (g != best) tests.push_back({std::string("λ = ") + b + " − best", report::compareGroups(g->stats, best->stats, SeedMetric::FinalAcc)});
    }
    listFamily(md, holmFamily(tests));
  }
}

void groupTable(std::ostringstream& md, const std::string& title, const std::vector<ResultGroup>& groups) {
  md << "\n## " << title << "\n\n| runs | name | nonlinearity | weights | activations | FP acc | ternary acc | gap | "
        "mean density | density min–max | epochs | time per run (s) |\n"
     << "|---|---|---|---|---|---:|---:|---:|---:|---|---:|---:|\n";
  for (const auto& g : groups) {
    const auto& r = g.row;
    md << "| " << runList(g) << " | " << r.name << " | " << r.activation << " | " << r.weights << " | " << r.activations
       << " | " << cell(fpOf(g)) << " | " << (r.ternary() ? cell(g.stats.finalAcc) : "–") << " | " << cell(g.stats.fpGap)
       << " | " << (std::isnan(r.meanDensity) ? std::string("–") : pct(100 * r.meanDensity) + " %") << " | "
       << densityRange(r) << " | " << r.epochs << " | " << pct(g.meanSeconds) << " |\n";
  }
}

}  // namespace ternlab::cli
