#include <cmath>
#include <cstdio>
#include <memory>

#include "Commands.h"
#include "store/RunStore.h"
#include "store/MetricKeys.h"

namespace ternlab::cli {

namespace {

struct RunsArgs {
  StoreOptions store;
  bool json = false;
  bool all = false;
  std::string status, tag, text, seedGroup;
};

double summaryValue(const std::map<std::string, store::MetricSummary>& s, const std::string& key, bool max) {
  auto it = s.find(key);
  if (it == s.end()) return std::nan("");
  return max ? it->second.max : it->second.last;
}

}  // namespace

void addRunsCommand(CLI::App& app, int& exitCode) {
  auto a = std::make_shared<RunsArgs>();
  auto* cmd = app.add_subcommand("runs", "List the runs in the run store");
  cmd->add_option("--db", a->store.db, "run database");
  cmd->add_flag("--json", a->json, "one JSON document on stdout");
  cmd->add_flag("--all", a->all, "include archived runs");
  std::vector<std::string> statuses;
  for (auto s : store::kRunStatuses) statuses.emplace_back(store::runStatusName(s));
  cmd->add_option("--status", a->status, "only runs with this status")->check(CLI::IsMember(statuses));
  cmd->add_option("--tag", a->tag, "only runs with this tag");
  cmd->add_option("--filter", a->text, "only runs whose name contains this text");
  cmd->add_option("--seed-group", a->seedGroup, "only the runs of this seed group (the same experiment with other seeds)");
  cmd->callback([a, &exitCode] {
    store::RunStore db(a->store.path());
    db.markStaleRunsInterrupted();
    store::RunFilter f;
    f.includeArchived = a->all;
    if (!a->status.empty()) f.status = store::parseRunStatus(a->status);
    f.tag = a->tag;
    f.text = a->text;
    f.seedGroup = a->seedGroup;
    const auto runs = db.listRuns(f);
    const auto summaries = db.allSummaries();
    static const std::map<std::string, store::MetricSummary> kNone;
    if (a->json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& r : runs) {
        const auto it = summaries.find(r.id);
        const auto& s = it == summaries.end() ? kNone : it->second;
        nlohmann::json j{{"id", r.id}, {"uuid", r.uuid}, {"name", r.name}, {"kind", r.kind}, {"status", store::runStatusName(r.status)},
                         {"stage", r.stage}, {"created", r.created}, {"ended", r.ended}, {"seed", r.seed},
                         {"seed_group", r.seedGroup}};
        j["parent_id"] = r.parentId ? nlohmann::json(*r.parentId) : nlohmann::json(nullptr);
        const double last = summaryValue(s, store::metric::kTestAcc, false), best = summaryValue(s, store::metric::kTestAcc, true);
        j["test_acc"] = std::isfinite(last) ? nlohmann::json(last) : nlohmann::json(nullptr);
        j["best_test_acc"] = std::isfinite(best) ? nlohmann::json(best) : nlohmann::json(nullptr);
        if (!r.error.empty()) j["error"] = r.error;
        arr.push_back(j);
      }
      std::printf("%s\n", nlohmann::json{{"db", db.path()}, {"runs", arr}}.dump(2).c_str());
      return;
    }
    std::printf("%5s %6s  %-11s %-9s %-38s %9s %9s  %s\n", "id", "parent", "status", "kind", "name", "test acc",
                "best", "created");
    for (const auto& r : runs) {
      const auto it = summaries.find(r.id);
      const auto& s = it == summaries.end() ? kNone : it->second;
      std::printf("%5lld %6s  %-11s %-9s %-38.38s %9.2f %9.2f  %s\n", static_cast<long long>(r.id),
                  r.parentId ? std::to_string(*r.parentId).c_str() : "-", store::runStatusName(r.status), r.kind.c_str(),
                  r.name.c_str(), summaryValue(s, store::metric::kTestAcc, false), summaryValue(s, store::metric::kTestAcc, true),
                  r.created.c_str());
    }
    if (runs.empty()) std::printf("(no runs in %s)\n", db.path().c_str());
    (void)exitCode;
  });
}

}  // namespace ternlab::cli
