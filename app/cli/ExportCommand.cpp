// ternlab-cli export ID --format npz|tnn|onnx --out F: the npz holds latent weights, int8 codes per branch, scales,
// thresholds and a manifest; tnn is the packed engine's file; onnx the same network in standard ONNX operators.
#include <cstdio>
#include <memory>

#include "Commands.h"
#include "export/ModelExport.h"
#include "onnxio/OnnxExport.h"
#include "report/RunModel.h"

namespace ternlab::cli {

namespace {
struct ExportArgs {
  StoreOptions store;
  std::int64_t id = 0;
  std::string format = "npz";
  std::string out;
  bool int8Activations = false;
};
}  // namespace

void addExportCommand(CLI::App& app, int& exitCode) {
  auto a = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "Export a run's ternary model (latent weights, codes, scales, thresholds)");
  cmd->add_option("id", a->id, "run id (a pipeline exports its last stage)")->required();
  cmd->add_option("--db", a->store.db, "run database");
  cmd->add_option("--format", a->format,
                  "npz (a zip of .npy files + manifest.json), tnn (the packed engine's file) or onnx (ONNX opset 13, "
                  "for ONNX Runtime and other ONNX tools)")
      ->check(CLI::IsMember({"npz", "tnn", "onnx"}));
  cmd->add_option("--out", a->out, "output file (npz: the manifest is also written to OUT.json)")->required();
  cmd->add_flag("--int8-activations", a->int8Activations,
                "onnx: quantize the FP activations of ternary-weight layers per image to int8, as the packed engine "
                "(default: fp32, as the training graph)");
  cmd->callback([a, &exitCode] {
    if (a->format == "tnn") {  // packed-engine file: TnnExportCommand.cpp
      exitCode = exportTnnCommand(a->store.path(), a->id, a->out);
      return;
    }
    try {
      if (a->format == "onnx") {
        onnxio::OnnxExportOptions o;
        o.int8Activations = a->int8Activations;
        const auto r = onnxio::exportOnnx(a->id, a->store.path(), a->out, o);
        std::printf("exported run %lld (stage %lld) to %s: %zu bytes, %d ternary layers, ONNX opset 13, checked\n",
                    static_cast<long long>(r.runId), static_cast<long long>(r.stageId), r.path.c_str(), r.bytes,
                    r.ternaryLayers);
        return;
      }
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
