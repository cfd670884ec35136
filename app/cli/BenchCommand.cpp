// `ternlab-cli bench`: ternary kernels, layers and packed networks vs LibTorch fp32, recorded in the store.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "Commands.h"
#include "engine/BenchSuite.h"
#include "onnxio/OnnxRuntimeBench.h"

namespace ternlab::cli {

namespace {
struct BenchArgs {
  StoreOptions store;
  engine::BenchSuiteOptions o;
  bool json = false;
  bool noRecord = false;
  bool noOnnxRuntime = false;
};
}  // namespace

void addBenchCommand(CLI::App& app, int& exitCode) {
  auto a = std::make_shared<BenchArgs>();
  auto* cmd = app.add_subcommand("bench", "Benchmark ternary kernels / layers / packed networks against LibTorch fp32");
  cmd->add_option("--threads", a->o.threads, "threads for kernels and LibTorch");
  cmd->add_option("--runs", a->o.runs, "timed runs per row (median; at least 30)");
  cmd->add_flag("--full", a->o.full, "every kernel on the 2048 GEMM too");
  cmd->add_flag("--networks", a->o.networksOnly, "only the engine's layer rows and the whole-network rows");
  cmd->add_option("--db", a->store.db, "run database the results are recorded in");
  cmd->add_flag("--no-record", a->noRecord, "do not record a bench run");
  cmd->add_flag("--no-onnxruntime", a->noOnnxRuntime, "network rows without the ONNX Runtime fp32 baseline");
  cmd->add_flag("--json", a->json, "machine-readable output");
  cmd->callback([a, &exitCode] {
    try {
      auto r = engine::runBenchSuite(a->o);
      std::string ortNote;
      const bool networks = std::any_of(r.rows.begin(), r.rows.end(), [](const auto& x) { return x.level == "network"; });
      if (networks && !a->noOnnxRuntime) ortNote = onnxio::addOnnxRuntimeBaseline(r.rows);
      std::int64_t id = 0;
      if (!a->noRecord) id = engine::recordBench(r, a->store.path());
      if (a->json) {
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& x : r.rows)
          rows.push_back({{"level", x.level}, {"kernel", x.kernel}, {"shape", x.shape}, {"M", x.M}, {"N", x.N},
                          {"K", x.K}, {"seconds", x.seconds}, {"gmac_per_s", x.gmacPerSecond},
                          {"mac_per_cycle", x.macPerCycle}, {"pct_bound", x.percentOfBound},
                          {"ratio_torch", x.ratioToTorch}, {"ratio_4pop", x.ratioTo4Pop},
                          {"images_per_s", x.imagesPerSecond}, {"torch_images_per_s", x.torchImagesPerSecond},
                          {"torch_fp_images_per_s", x.torchFpImagesPerSecond},
                          {"onnxruntime_fp_images_per_s", x.onnxRuntimeFpImagesPerSecond}});
        std::printf("%s\n", nlohmann::json{{"isa", r.isa}, {"baseline_isa", r.baselineIsa}, {"threads", r.threads}, {"runs", r.runs},
                                           {"cpu_hz", r.cpuHz}, {"bound_mac_per_cycle", r.boundMacPerCycle},
                                           {"bound_note", r.boundNote}, {"run_id", id}, {"rows", rows}}
                                .dump(2)
                                .c_str());
        return;
      }
      std::printf("isa %s, %d thread(s), clock %.2f GHz (dependent imul), median of %d runs\nbound: %s\n"
                  "LibTorch baselines: oneDNN ISA %s\n",
                  r.isa.c_str(), r.threads, r.cpuHz * 1e-9, r.runs, r.boundNote.c_str(), r.baselineIsa.c_str());
      std::printf("%-8s %-18s %-22s %10s %9s %8s %7s %8s %8s\n", "level", "kernel", "shape", "ms", "GMAC/s", "MAC/cyc",
                  "%bound", "x torch", "x 4pop");
      for (const auto& x : r.rows) {
        if (x.level == "network") {
          std::printf("%-8s %-18s %-22s %10.3f  packed %.0f img/s | LibTorch fake-quant %.0f img/s | LibTorch fp32 %.0f "
                      "img/s | x fp32 %.2f",
                      x.level.c_str(), x.kernel.c_str(), x.shape.c_str(), x.seconds * 1e3, x.imagesPerSecond,
                      x.torchImagesPerSecond, x.torchFpImagesPerSecond, x.ratioToTorch);
          if (x.onnxRuntimeFpImagesPerSecond > 0)
            std::printf(" | ONNX Runtime fp32 %.0f img/s | x ORT %.2f", x.onnxRuntimeFpImagesPerSecond,
                        x.imagesPerSecond / x.onnxRuntimeFpImagesPerSecond);
          std::printf("\n");
          continue;
        }
        std::printf("%-8s %-18s %-22s %10.3f %9.2f %8.2f %7.1f %8.2f %8.2f\n", x.level.c_str(), x.kernel.c_str(),
                    x.shape.c_str(), x.seconds * 1e3, x.gmacPerSecond, x.macPerCycle, x.percentOfBound,
                    x.ratioToTorch, x.ratioTo4Pop);
      }
      if (!ortNote.empty()) std::printf("%s\n", ortNote.c_str());
      if (id) std::printf("recorded as bench run %lld\n", static_cast<long long>(id));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      exitCode = 1;
    }
  });
}

}  // namespace ternlab::cli
