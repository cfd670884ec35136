// Training time of TernLab's trainer: FP against PyTorch eager (same model, data, batch, threads) and every W+A
// ternary scheme against FP, LeNet-5 epochs and ResNet-20 steps, in one process run; ratios printed at the end.
// Usage: bench_train [--benchmark_filter=...] [--benchmark_repetitions=N]; env TERNLAB_BENCH_THREADS (default 2).
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "config/ExperimentConfig.h"
#include "data/Dataset.h"
#include "kernels/Isa.h"
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
  gSeconds[name] = gSeconds.count(name) ? std::min(gSeconds[name], best) : best;  // best over repetitions
  state.counters["s"] = best;
}

void epochOf(benchmark::State& state, const std::string& name, const std::string& quant) {
  auto cfg = config::parseExperimentText(R"({"epochs": 1, "batch_size": 128, "log_interval": 100000,
      "optimizer": {"lr": 0.05}, "threads": )" + std::to_string(threads()) + R"(, "quant": )" + quant + "}");
  const auto& data = fashionMnist();
  timeStage(state, name, cfg, data, nullptr);
}

// Every scheme that ternarizes weights and activations, as the LeNet-5 presets configure it (TTQ is weights-only).
struct WaScheme {
  const char* name;
  const char* quant;
  bool distill;
};
const WaScheme kWaSchemes[] = {
    {"twn", R"({"weights": {"scheme": "twn"}, "activations": {"scheme": "twn"}})", false},
    {"ics", R"({"weights": {"scheme": "ics", "factor": 0.05}, "activations": {"scheme": "ics", "factor": 0.05}})", false},
    {"rel2", R"({"weights": {"scheme": "ics", "factor": 0.05, "branches": 2, "betas": [0.05, 0.1]},
                 "activations": {"scheme": "ics", "factor": 0.05}})", false},
    {"asym", R"({"weights": {"scheme": "asym", "factor": 0.4307, "options": {"learn_scale": 1}},
                 "activations": {"scheme": "asym", "factor": 0.4307, "options": {"learn_scale": 1}}})", false},
    {"asym-uniform", R"({"weights": {"scheme": "asym", "factor": 0.4307, "uniform": "gaussian", "options": {"learn_scale": 1}},
                         "activations": {"scheme": "asym", "factor": 0.4307, "uniform": "half-gaussian",
                                         "options": {"learn_scale": 1}}})", false},
    {"asym-uniform-kd", R"({"weights": {"scheme": "asym", "factor": 0.4307, "uniform": "gaussian", "options": {"learn_scale": 1}},
                            "activations": {"scheme": "asym", "factor": 0.4307, "uniform": "half-gaussian",
                                            "options": {"learn_scale": 1}}})", true},
    {"fatnn", R"({"weights": {"scheme": "fatnn"}, "activations": {"scheme": "fatnn"}})", false},
    {"lsq", R"({"weights": {"scheme": "lsq"}, "activations": {"scheme": "lsq"}})", false},
};
const char* kFp = R"({"weights": {"scheme": "none"}})";

void BM_TernLabEpoch_FP(benchmark::State& s) { epochOf(s, "lenet-fp", kFp); }
void BM_TernLabEpoch_TWN_W(benchmark::State& s) { epochOf(s, "lenet-twn-w", R"({"weights": {"scheme": "twn"}})"); }

// ResNet-20 (He et al. Table I) steps: 10 batches of 128 plus a 256-image test pass, per quantization scheme.
// Not an epoch (that takes minutes here), but the same per-step work, so the ratios carry over.
const data::DatasetPair& resnetSubset() {
  static const auto pair = data::loadDataset("fashion-mnist", data::defaultDatasetPath("fashion-mnist"), 1280, 256);
  return pair;
}

void resnetSteps(benchmark::State& state, const std::string& name, const std::string& quant, bool distill,
                 int epochs = 1) {
  auto cfg = config::parseExperimentText(R"({"epochs": )" + std::to_string(epochs) + R"(, "batch_size": 128, "log_interval": 100000,
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

void BM_ResNet20_FP(benchmark::State& s) { resnetSteps(s, "r20-fp", kFp, false); }
// Four epochs of the same steps: distillation reads the teacher's logits back from the first epoch (TeacherLogits.h).
void BM_ResNet20_FP_4Epochs(benchmark::State& s) { resnetSteps(s, "r20-fp-4ep", kFp, false, 4); }
void BM_ResNet20_AsymUniformKd_4Epochs(benchmark::State& s) {
  for (const auto& w : kWaSchemes)
    if (std::string(w.name) == "asym-uniform-kd") resnetSteps(s, "r20-asym-uniform-kd-4ep", w.quant, w.distill, 4);
}

// The W+A schemes of kWaSchemes on both networks, registered by name (bench_train --benchmark_filter=ResNet20/lsq).
void registerSchemeBenchmarks() {
  for (const auto& w : kWaSchemes) {
    if (!w.distill)
      benchmark::RegisterBenchmark((std::string("BM_TernLabEpoch/") + w.name).c_str(),
                                   [w](benchmark::State& st) { epochOf(st, std::string("lenet-") + w.name, w.quant); })
          ->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
    benchmark::RegisterBenchmark((std::string("BM_ResNet20/") + w.name).c_str(),
                                 [w](benchmark::State& st) { resnetSteps(st, std::string("r20-") + w.name, w.quant, w.distill); })
        ->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
  }
}

// Runs a baseline script that prints {"<field>": [seconds...]}; the best value is stored under `name`.
void pythonBaseline(benchmark::State& state, const std::string& script, const char* field, const std::string& name) {
  const std::string cmd = std::string("/usr/bin/python3 ") + TERNLAB_BENCH_DIR + "/" + script + " --threads " +
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
    const double s = j[field][0].get<double>();
    state.SetIterationTime(s);
    best = std::min(best, s);
  }
  gSeconds[name] = gSeconds.count(name) ? std::min(gSeconds[name], best) : best;  // best over repetitions
  state.counters["s"] = best;
}

void BM_PyTorchEagerResNet20(benchmark::State& state) {
  pythonBaseline(state, "pytorch_resnet20_steps.py", "seconds", "r20-pytorch");
}

void BM_PyTorchEagerEpoch(benchmark::State& state) {
  pythonBaseline(state, "pytorch_lenet_epoch.py --epochs 1", "epoch_seconds", "lenet-pytorch");
}

}  // namespace

BENCHMARK(BM_PyTorchEagerEpoch)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_TernLabEpoch_FP)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_TernLabEpoch_TWN_W)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_PyTorchEagerResNet20)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_ResNet20_FP)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_ResNet20_FP_4Epochs)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_ResNet20_AsymUniformKd_4Epochs)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);

int main(int argc, char** argv) {
  kernels::matchBaselineIsaToKernels();  // a forced kernel path caps oneDNN here and in the PyTorch baselines
  registerSchemeBenchmarks();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  auto ratio = [](const std::string& a, const std::string& b) {
    if (gSeconds.count(a) && gSeconds.count(b))
      std::printf("ratio %-22s / %-14s = %.3f  (%.2f s vs %.2f s, best of runs, %d threads)\n", a.c_str(), b.c_str(),
                  gSeconds[a] / gSeconds[b], gSeconds[a], gSeconds[b], threads());
  };
  ratio("lenet-fp", "lenet-pytorch");
  ratio("r20-fp", "r20-pytorch");
  ratio("lenet-twn-w", "lenet-fp");
  ratio("r20-asym-uniform-kd-4ep", "r20-fp-4ep");
  for (const auto& w : kWaSchemes) {
    ratio(std::string("lenet-") + w.name, "lenet-fp");
    ratio(std::string("r20-") + w.name, "r20-fp");
  }
  return 0;
}
