// ternlab-cli report ID: per-layer parameters, bits, memory, MACs, density and compression of a stored run.
#include <cstdio>
#include <memory>

#include "Commands.h"
#include "report/LayerReport.h"
#include "report/RunModel.h"

namespace ternlab::cli {

void addReportCommand(CLI::App& app, int& exitCode) {
  auto a = std::make_shared<StoredRunArgs>();
  auto* cmd = app.add_subcommand(
      "report", "Model summary of a run: per layer params, bits, FP vs packed memory, MACs, density, compression");
  cmd->add_option("id", a->id, "run id (a pipeline reports its last stage)")->required();
  cmd->add_option("--db", a->store.db, "run database");
  cmd->add_flag("--json", a->json, "one JSON document on stdout");
  cmd->callback([a, &exitCode] {
    try {
      auto run = report::loadRun(a->store.path(), a->id);
      const auto r = report::summarize(*run.net, run.batch);
      if (a->json) {
        auto j = report::toJson(r);
        j["run_id"] = run.id;
        j["stage_run_id"] = run.stageId;
        j["arch"] = run.net->arch();
        j["checkpoint"] = run.checkpoint;
        std::printf("%s\n", j.dump(2).c_str());
      } else {
        std::printf("run %lld (%s, weights from run %lld)\n", static_cast<long long>(run.id), run.net->arch().c_str(),
                    static_cast<long long>(run.stageId));
        std::printf("%s", report::formatTable(r).c_str());
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      exitCode = 1;
    }
  });
}

}  // namespace ternlab::cli
