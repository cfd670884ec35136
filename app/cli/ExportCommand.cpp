// ternlab-cli export ID --format npz --out F: latent weights, int8 codes per branch, scales, thresholds + manifest.
#include <cstdio>
#include <memory>

#include "Commands.h"
#include "export/ModelExport.h"
#include "report/RunModel.h"

namespace ternlab::cli {

namespace {
struct ExportArgs {
  StoreOptions store;
  std::int64_t id = 0;
  std::string format = "npz";
  std::string out;
};
}  // namespace

void addExportCommand(CLI::App& app, int& exitCode) {
  auto a = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "Export a run's ternary model (latent weights, codes, scales, thresholds)");
  cmd->add_option("id", a->id, "run id (a pipeline exports its last stage)")->required();
  cmd->add_option("--db", a->store.db, "run database");
  cmd->add_option("--format", a->format, "npz (a zip of .npy files + manifest.json)")->check(CLI::IsMember({"npz", "tnn"}));
  cmd->add_option("--out", a->out, "output file (the manifest is also written to OUT.json)")->required();
  cmd->callback([a, &exitCode] {
    if (a->format == "tnn") {  // packed-engine file: TnnExportCommand.cpp
      exitCode = exportTnnCommand(a->store.path(), a->id, a->out);
      return;
    }
    try {
      auto run = report::loadRun(a->store.path(), a->id);
      auto bundle = exporting::collectExport(*run.net, run.config, run.batch, run.stageId);
      exporting::writeExport(bundle, a->out);
      std::printf("exported run %lld (%zu arrays) to %s\n", static_cast<long long>(run.id), bundle.members.size(),
                  a->out.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      exitCode = 1;
    }
  });
}

}  // namespace ternlab::cli
