#include "ResultRows.h"
#include "store/MetricKeys.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace ternlab::cli {

using nlohmann::json;

namespace {

double secondsOf(store::RunStore& db, std::int64_t run) {
  double total = 0;
  for (const auto& m : db.metrics(run, store::metric::kEpochSeconds)) total += m.value;
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

}  // namespace

ResultRow rowFor(store::RunStore& db, const store::RunRecord& r) {
  ResultRow row;
  row.id = r.id;
  row.seed = r.seed;
  row.seedGroup = r.seedGroup;
  row.name = r.name;
  row.meanDensity = row.minDensity = row.maxDensity = row.lambda = NAN;
  row.values = report::seedRunValues(db, r);
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
    row.arch = cfg["model"].value("arch", "");
    row.activation = cfg["model"].value("activation", "relu");
    if (!fp) {
      const auto& w = cfg["quant"]["weights"];
      row.weightScheme = w.value("scheme", "none");
      row.actScheme = cfg["quant"]["activations"].value("scheme", "none");
      row.symmetric = w.contains("options") && w["options"].value("symmetric", 0.0) != 0;
      row.uniform = w.value("uniform", "off") != "off";
      row.endsFp = cfg["quant"].value("first_layer", "fp") == "fp" && cfg["quant"].value("last_layer", "fp") == "fp";
      row.branches = w.value("branches", 1);
      row.betas = w.contains("betas") ? w["betas"].dump() : "";
      row.distilled = !cfg["distill"].value("teacher", "").empty();
      row.lambda = row.distilled ? cfg["distill"].value("lambda", NAN) : NAN;
      row.weights = schemeOf(cfg, "weights");
      row.activations = row.activationsPlain = schemeOf(cfg, "activations");
      if (row.distilled) row.activations += " (KD λ=" + cfg["distill"]["lambda"].dump() + ")";
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

std::string modelLabel(const ResultRow& r) { return r.activation == "relu" ? r.arch : r.arch + " + " + r.activation; }

std::vector<ResultGroup> groupRows(const std::vector<ResultRow>& rows) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const ResultRow*>> members;
  for (const auto& r : rows) {
    const std::string key = r.seedGroup.empty() ? "run:" + std::to_string(r.id) : r.seedGroup;
    if (!members.count(key)) order.push_back(key);
    members[key].push_back(&r);
  }
  std::vector<ResultGroup> out;
  for (const auto& key : order) {
    const auto& m = members[key];
    ResultGroup g;
    g.row = **std::max_element(m.begin(), m.end(), [](auto* a, auto* b) { return a->id < b->id; });
    std::vector<report::SeedRunValues> values;
    std::map<std::int64_t, double> secondsOfRun;
    for (const auto* r : m) {
      values.push_back(r->values);
      secondsOfRun[r->id] = r->seconds;
    }
    g.stats = report::summarizeRuns(std::move(values), key);
    double seconds = 0;
    for (const auto& v : g.stats.runs) {
      g.runs.push_back(v.runId);
      seconds += secondsOfRun[v.runId];
    }
    g.meanSeconds = g.runs.empty() ? 0 : seconds / g.runs.size();
    out.push_back(std::move(g));
  }
  return out;
}

const ResultGroup* preferred(const ResultGroup* a, const ResultGroup* b) {
  if (!a) return b;
  if (!b) return a;
  if (a->n() != b->n()) return a->n() > b->n() ? a : b;
  return a->row.id > b->row.id ? a : b;
}

std::string pct(double v) {
  if (std::isnan(v)) return "–";
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

std::string cell(const report::SampleSummary& s) { return report::meanWithInterval(s); }

std::string runList(const ResultGroup& g) {
  std::string s;
  for (const auto id : g.runs) s += (s.empty() ? "" : ", ") + std::to_string(id);
  return s;
}

}  // namespace ternlab::cli
