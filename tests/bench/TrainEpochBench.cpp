// Epoch time of TernLab's trainer against PyTorch eager (same model, data, batch, threads), in one process run.
// Usage: bench_train [--benchmark_filter=...] [--benchmark_repetitions=N]; env TERNLAB_BENCH_THREADS (default 2).
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "config/ExperimentConfig.h"
#include "data/Dataset.h"
#include "train/StageTrainer.h"

using namespace ternlab;

namespace {

int threads() {
  const char* t = std::getenv("TERNLAB_BENCH_THREADS");
  return t ? std::atoi(t) : 2;
}

const data::DatasetPair& fashionMnist() {
  static const auto pair = data::loadDataset("fashion-mnist", data::defaultDatasetPath("fashion-mnist"), 0, 1000);
  return pair;
}

std::map<std::string, double> gSeconds;

void epochOf(benchmark::State& state, const std::string& name, const std::string& quant) {
  auto cfg = config::parseExperimentText(R"({"epochs": 1, "batch_size": 128, "log_interval": 100000,
      "optimizer": {"lr": 0.05}, "threads": )" + std::to_string(threads()) + R"(, "quant": )" + quant + "}");
  const auto& data = fashionMnist();
  train::StopToken stop;
  train::StageSink sink;
  double best = 1e30;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = train::trainStage(cfg, data, nullptr, nullptr, 0, sink, stop);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(s);
    best = std::min(best, s);
    benchmark::DoNotOptimize(r.testAcc);
  }
  gSeconds[name] = best;
  state.counters["epoch_s"] = best;
}

void BM_TernLabEpoch_FP(benchmark::State& s) { epochOf(s, "fp", R"({"weights": {"scheme": "none"}})"); }
void BM_TernLabEpoch_TWN_W(benchmark::State& s) {
  epochOf(s, "twn-w", R"({"weights": {"scheme": "twn"}})");
}
void BM_TernLabEpoch_TWN_WA(benchmark::State& s) {
  epochOf(s, "twn-wa", R"({"weights": {"scheme": "twn"}, "activations": {"scheme": "twn"}})");
}

void BM_PyTorchEagerEpoch(benchmark::State& state) {
  const std::string cmd = std::string("/usr/bin/python3 ") + TERNLAB_BENCH_DIR + "/pytorch_lenet_epoch.py --epochs 1 --threads " +
                          std::to_string(threads()) + " 2>/dev/null";
  double best = 1e30;
  for (auto _ : state) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    std::array<char, 4096> buf{};
    while (p && std::fgets(buf.data(), buf.size(), p)) out += buf.data();
    const int rc = p ? ::pclose(p) : -1;
    auto j = nlohmann::json::parse(out, nullptr, false);
    if (rc != 0 || !j.is_object()) {
      state.SkipWithError("PyTorch baseline unavailable (apt-get install python3-torch)");
      return;
    }
    const double s = j["epoch_seconds"][0].get<double>();
    state.SetIterationTime(s);
    best = std::min(best, s);
  }
  gSeconds["pytorch"] = best;
  state.counters["epoch_s"] = best;
}

}  // namespace

BENCHMARK(BM_PyTorchEagerEpoch)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_TernLabEpoch_FP)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_TernLabEpoch_TWN_W)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_TernLabEpoch_TWN_WA)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  auto ratio = [](const char* a, const char* b) {
    if (gSeconds.count(a) && gSeconds.count(b))
      std::printf("ratio %-8s / %-8s = %.3f  (%.2f s vs %.2f s, best of runs, %d threads)\n", a, b,
                  gSeconds[a] / gSeconds[b], gSeconds[a], gSeconds[b], threads());
  };
  ratio("fp", "pytorch");
  ratio("twn-w", "fp");
  ratio("twn-wa", "fp");
  return 0;
}
