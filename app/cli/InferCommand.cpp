// `ternlab-cli infer F.tnn --data fashion-mnist:test`: packed-engine accuracy, speed, agreement with LibTorch.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "Commands.h"
#include "engine/InferRunner.h"

namespace ternlab::cli {

namespace {
struct InferArgs {
  engine::InferOptions o;
  bool json = false;
  bool noCompare = false;
  bool profile = false;
};
}  // namespace

void addInferCommand(CLI::App& app, int& exitCode) {
  auto a = std::make_shared<InferArgs>();
  auto* cmd = app.add_subcommand("infer", "Run a .tnn with the packed ternary engine on a dataset split");
  cmd->add_option("file", a->o.tnnPath, ".tnn file (from export --format tnn)")->required();
  cmd->add_option("--data", a->o.data, "dataset[:split], e.g. fashion-mnist:test");
  cmd->add_option("--db", a->o.db, "run database for the LibTorch comparison (default: the one in the file)");
  cmd->add_option("--threads", a->o.threads, "threads (engine and LibTorch)");
  cmd->add_option("--limit", a->o.limit, "first N images only");
  cmd->add_option("--batch", a->o.batch, "images per engine call");
  cmd->add_flag("--fp32-act", a->o.fp32Activations,
                "FP-activation ternary layers in fp32 x ternary (exact) instead of int8 activations");
  cmd->add_flag("--no-compare", a->noCompare, "skip the LibTorch agreement check");
  cmd->add_flag("--profile", a->profile, "print the time of every engine step");
  cmd->add_flag("--json", a->json, "machine-readable output");
  cmd->callback([a, &exitCode] {
    try {
      a->o.compare = !a->noCompare;
      const auto r = engine::runInference(a->o);
      if (a->json) {
        std::printf("%s\n", r.toJson().dump(2).c_str());
        return;
      }
      std::printf("%s: %lld images, accuracy %.2f%%, %.0f images/s (%s, %d threads, activations %s, FP-activation "
                  "layers via %s)\n",
                  r.tnn.c_str(), static_cast<long long>(r.images), r.accuracy, r.engineImagesPerSecond, r.isa.c_str(),
                  r.threads, r.activations.c_str(), r.fpActivationPath.c_str());
      double total = 0;
      for (const auto& [step, sec] : r.profile) total += sec;
      if (a->profile) {
        std::printf("engine time per step (whole split, one profiled pass):\n");
        for (const auto& [step, sec] : r.profile)
          std::printf("  %-28s %9.2f ms  %5.1f%%\n", step.c_str(), sec * 1e3, 100.0 * sec / std::max(total, 1e-12));
      }
      std::printf("engine time by kind of work (CPU seconds inside ternary layers, all threads):");
      for (const auto& [phase, sec] : r.phases) std::printf(" %s %.1f ms,", phase.c_str(), sec * 1e3);
      std::printf("\n");
      std::printf("ternary MACs %.3g per image; at the kernel's instruction bound they would take %.1f%% of the "
                  "measured time (%.2f GHz)\n",
                  r.ternaryMacsPerImage, 100.0 * r.kernelBoundShare, r.cpuHz * 1e-9);
      std::printf("memory: .tnn %lld bytes, activation buffers %.1f MiB, peak resident %.1f MiB\n",
                  static_cast<long long>(r.tnnBytes), r.activationMiB, r.peakRssMiB);
      if (!r.compared) {
        std::printf("LibTorch comparison skipped: %s\n", r.compareNote.c_str());
        return;
      }
      std::printf("LibTorch eval forward: accuracy %.2f%%, %.0f images/s; identical predictions %lld / %lld\n",
                  r.torchAccuracy, r.torchImagesPerSecond, static_cast<long long>(r.identical),
                  static_cast<long long>(r.images));
      if (r.accMaxAbsDiff.empty())
        std::printf("no layer has ternary activations (no integer accumulator check)\n");
      for (const auto& [layer, d] : r.accMaxAbsDiff)
        std::printf("  %-16s accumulators vs fake-quant conv / scales (%lld images): max |diff| = %lld%s\n",
                    layer.c_str(), static_cast<long long>(r.accImages), static_cast<long long>(d),
                    d == 0 ? " (equal)" : "");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      exitCode = 1;
    }
  });
}

}  // namespace ternlab::cli
