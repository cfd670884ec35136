// The papers' claims, tested on the seed groups in the store, each with a verdict.
#include <cmath>
#include <functional>

#include "ResultTables.h"

namespace ternlab::cli {

namespace {

using Match = std::function<bool(const ResultRow&)>;

// A claim that one experiment ends more accurate than another (mean final test accuracy), or, with no
// `worse`, that an experiment's gap to its own FP stage is below `gapBound` points.
struct Claim {
  std::string source;     // the paper and where it says so
  std::string statement;  // what would hold on our data
  Match better, worse;
  double gapBound = NAN;
};

bool lenetWA(const ResultRow& r) { return r.arch == "lenet5" && r.endsFp && r.weightScheme != "none" && r.actScheme != "none"; }
bool resnetWA(const ResultRow& r) { return r.arch == "resnet20" && r.endsFp && r.weightScheme != "none" && r.actScheme != "none"; }
Match table3Cell(bool symmetric, bool uniform) {
  return [=](const ResultRow& r) {
    return lenetWA(r) && r.weightScheme == "asym" && r.actScheme == "asym" && !r.distilled && r.symmetric == symmetric &&
           r.uniform == uniform;
  };
}
Match rel(int branches) {
  return [=](const ResultRow& r) { return r.arch == "lenet5" && r.endsFp && r.weightScheme == "ics" && !r.distilled && r.branches == branches; };
}
Match lenetKd(int stages, double lambda) {
  return [=](const ResultRow& r) {
    return lenetWA(r) && r.weightScheme == "asym" && r.uniform && r.distilled && r.stages == stages && std::fabs(r.lambda - lambda) < 1e-6;  // λ is stored in single precision
  };
}
Match lenetScheme(const std::string& scheme) {
  return [=](const ResultRow& r) { return lenetWA(r) && r.weightScheme == scheme && !r.distilled; };
}
Match resnetAsymKd1(const std::string& activation) {
  return [=](const ResultRow& r) {
    return resnetWA(r) && r.activation == activation && r.weightScheme == "asym" && r.uniform && r.distilled && r.stages == 2;
  };
}
Match resnetScheme(const std::string& scheme, const std::string& activation) {
  return [=](const ResultRow& r) { return resnetWA(r) && r.activation == activation && r.weightScheme == scheme && !r.distilled; };
}

std::vector<Claim> claims() {
  const std::string asym = "Asymmetric thresholds + uniform distribution";
  return {
      {asym + ", Table 3", "LeNet-5: asymmetric thresholds beat symmetric ones (uniform off)", table3Cell(false, false), table3Cell(true, false)},
      {asym + ", Table 3", "LeNet-5: asymmetric thresholds beat symmetric ones (uniform on)", table3Cell(false, true), table3Cell(true, true)},
      {asym + ", Table 3", "LeNet-5: eq. 9 uniform normalisation helps (symmetric thresholds)", table3Cell(true, true), table3Cell(true, false)},
      {asym + ", Table 3", "LeNet-5: eq. 9 uniform normalisation helps (asymmetric thresholds)", table3Cell(false, true), table3Cell(false, false)},
      {asym + ", §4 CIFAR-10", "ResNet-20 + RPReLU: asym + eq. 9 + one-stage KD ends within 0.5 points of FP",
       resnetAsymKd1("rprelu"), nullptr, 0.5},
      {asym + ", §4 CIFAR-10", "ResNet-20 + RPReLU: asym + eq. 9 + KD beats LSQ", resnetAsymKd1("rprelu"), resnetScheme("lsq", "rprelu")},
      {asym + ", §4 CIFAR-10", "ResNet-20 (ReLU): asym + eq. 9 + KD beats LSQ", resnetAsymKd1("relu"), resnetScheme("lsq", "relu")},
      {asym + ", §4.4", "LeNet-5: two-stage KD beats one-stage KD of the same epochs (λ = 0.9)", lenetKd(3, 0.9), lenetKd(2, 0.9)},
      {asym + ", §4.4 (Fig. 3)", "LeNet-5: λ = 0.9 beats λ = 0.5 (two-stage KD)", lenetKd(3, 0.9), lenetKd(3, 0.5)},
      {asym + ", §4.4 (Fig. 3)", "LeNet-5: λ = 0.9 beats λ = 1.0 (two-stage KD)", lenetKd(3, 0.9), lenetKd(3, 1.0)},
      {"He et al., residual expansion", "LeNet-5: REL with T_ex = 2 beats T_ex = 1", rel(2), rel(1)},
      {"He et al., residual expansion", "LeNet-5: REL with T_ex = 4 beats T_ex = 2", rel(4), rel(2)},
      {"FATNN, §5", "LeNet-5: FATNN beats LSQ", lenetScheme("fatnn"), lenetScheme("lsq")},
  };
}

const ResultGroup* pick(const std::vector<ResultGroup>& groups, const Match& m) {
  const ResultGroup* best = nullptr;
  for (const auto& g : groups)
    if (g.n() > 0 && m(g.row)) best = preferred(best, &g);
  return best;
}

std::string verdict(const TestedPair& t) {
  if (!t.test.valid() || std::isnan(t.adjustedP)) return "untested (fewer than two seeds)";
  const bool right = t.test.meanDiff > 0;
  if (right) return t.significant() ? "**holds, significant**" : "holds, not significant";
  return t.significant() ? "**contradicted, significant**" : "contradicted, not significant";
}

}  // namespace

void claimsSection(std::ostringstream& md, const std::vector<ResultGroup>& groups) {
  struct Row {
    const Claim* claim;
    const ResultGroup *a = nullptr, *b = nullptr;
    int test = -1;  // index into the tested family; -1: not run yet
  };
  const auto all = claims();
  std::vector<Row> rows;
  std::vector<std::pair<std::string, report::Comparison>> tests;
  for (const auto& c : all) {
    Row r{&c, pick(groups, c.better), c.worse ? pick(groups, c.worse) : nullptr};
    if (!r.a || (c.worse && !r.b)) {
      rows.push_back(r);
      continue;
    }
    report::Comparison test;
    if (c.worse) {
      test = report::compareGroups(r.a->stats, r.b->stats, report::SeedMetric::FinalAcc);
    } else {  // bound − gap > 0 is the claim
      std::vector<double> slack;
      for (const auto& v : r.a->stats.runs)
        if (!std::isnan(v.gap())) slack.push_back(c.gapBound - v.gap());
      test = report::oneSampleTest(slack, 0.0);
    }
    r.test = static_cast<int>(tests.size());
    tests.push_back({c.statement, test});
    rows.push_back(r);
  }
  const auto family = holmFamily(tests);
  md << "\n## The papers' claims on this data\n\nEach claim is a one-sided expectation tested two-sided on the final test "
        "accuracy over seeds; p-values are Holm-corrected over the m = "
     << familySize(family) << " claims tested here (α = " << kAlpha
     << "). A verdict says whether the difference has the claimed sign and whether it is significant.\n\n"
        "| claim | source | runs | difference | verdict |\n|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    md << "| " << r.claim->statement << " | " << r.claim->source << " | ";
    if (r.test < 0) {
      md << "– | – | not run yet |\n";
      continue;
    }
    const auto& t = family[static_cast<std::size_t>(r.test)];
    md << runList(*r.a) << (r.b ? " vs " + runList(*r.b) : "") << " | ";
    if (!r.claim->worse)
      md << "gap " << cell(r.a->stats.fpGap) << " against the " << pct(r.claim->gapBound) << " bound; " << describe(t);
    else
      md << cell(r.a->acc()) << " vs " << cell(r.b->acc()) << "; " << describe(t);
    md << " | " << verdict(t) << " |\n";
  }
}

}  // namespace ternlab::cli
