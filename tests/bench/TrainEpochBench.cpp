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

// Trains one stage per benchmark iteration; records the best wall time under `name` for the ratios.
void timeStage(benchmark::State& state, const std::string& name, const config::ExperimentConfig& cfg,
               const data::DatasetPair& data, const train::Teacher* teacher) {
  train::StopToken stop;
  train::StageSink sink;
  double best = 1e30;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = train::trainStage(cfg, data, nullptr, teacher, 0, sink, stop);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(s);
    best = std::min(best, s);
    benchmark::DoNotOptimize(r.testAcc);
  }
  gSeconds[name] = best;
  state.counters["s"] = best;
}

void epochOf(benchmark::State& state, const std::string& name, const std::string& quant) {
  auto cfg = config::parseExperimentText(R"({"epochs": 1, "batch_size": 128, "log_interval": 100000,
      "optimizer": {"lr": 0.05}, "threads": )" + std::to_string(threads()) + R"(, "quant": )" + quant + "}");
  const auto& data = fashionMnist();
  timeStage(state, name, cfg, data, nullptr);
}

void BM_TernLabEpoch_FP(benchmark::State& s) { epochOf(s, "fp", R"({"weights": {"scheme": "none"}})"); }
void BM_TernLabEpoch_TWN_W(benchmark::State& s) {
  epochOf(s, "twn-w", R"({"weights": {"scheme": "twn"}})");
}
void BM_TernLabEpoch_TWN_WA(benchmark::State& s) {
  epochOf(s, "twn-wa", R"({"weights": {"scheme": "twn"}, "activations": {"scheme": "twn"}})");
}
void BM_TernLabEpoch_AsymUniform_WA(benchmark::State& s) {
  epochOf(s, "asym-uniform-wa", R"({"weights": {"scheme": "asym", "uniform": "gaussian"},
                                    "activations": {"scheme": "asym", "uniform": "half-gaussian"}})");
}

// ResNet-20 (He et al. Table I) steps: 10 batches of 128 plus a 256-image test pass, per quantization scheme.
// Not an epoch (that takes minutes here), but the same per-step work, so the ratios carry over.
const data::DatasetPair& resnetSubset() {
  static const auto pair = data::loadDataset("fashion-mnist", data::defaultDatasetPath("fashion-mnist"), 1280, 256);
  return pair;
}

void resnetSteps(benchmark::State& state, const std::string& name, const std::string& quant, bool distill) {
  auto cfg = config::parseExperimentText(R"({"epochs": 1, "batch_size": 128, "log_interval": 100000,
      "model": {"arch": "resnet20"}, "optimizer": {"lr": 0.02}, "threads": )" + std::to_string(threads()) +
                                         R"(, "quant": )" + quant + "}");
  const auto& data = resnetSubset();
  train::Teacher teacher;
  if (distill) {
    auto fp = cfg;
    fp.quant = config::ExperimentConfig{}.quant;
    teacher.model = train::buildModel(fp, data.train);
    teacher.model->eval();
    cfg.distill.teacher = "untrained FP ResNet-20";
    cfg.distill.lambda = 0.9;
  }
  timeStage(state, name, cfg, data, distill ? &teacher : nullptr);
}

void BM_ResNet20_FP(benchmark::State& s) { resnetSteps(s, "r20-fp", R"({"weights": {"scheme": "none"}})", false); }
void BM_ResNet20_TWN_WA(benchmark::State& s) {
  resnetSteps(s, "r20-twn", R"({"weights": {"scheme": "twn"}, "activations": {"scheme": "twn"}})", false);
}
void BM_ResNet20_LSQ_WA(benchmark::State& s) {
  resnetSteps(s, "r20-lsq", R"({"weights": {"scheme": "lsq"}, "activations": {"scheme": "lsq"}})", false);
}
void BM_ResNet20_AsymUniform_WA_KD(benchmark::State& s) {
  resnetSteps(s, "r20-asym-kd",
              R"({"weights": {"scheme": "asym", "uniform": "gaussian"},
                  "activations": {"scheme": "asym", "uniform": "half-gaussian"}})",
              true);
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
BENCHMARK(BM_TernLabEpoch_AsymUniform_WA)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_ResNet20_FP)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_ResNet20_TWN_WA)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_ResNet20_LSQ_WA)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_ResNet20_AsymUniform_WA_KD)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);

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
  ratio("asym-uniform-wa", "fp");
  ratio("r20-twn", "r20-fp");
  ratio("r20-lsq", "r20-fp");
  ratio("r20-asym-kd", "r20-fp");
  return 0;
}
