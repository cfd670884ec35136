#include "engine/NetworkBench.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <functional>

#include "config/ExperimentConfig.h"
#include "engine/Engine.h"
#include "engine/TnnExport.h"
#include "nn/TernaryNet.h"

namespace ternlab::engine {

namespace {

// Median seconds of each of fns, timed in turn call by call (a b c a b c ...) so that a slow phase of a shared
// machine hits all of them alike; as many rounds as fit in about six seconds (at least 3, at most maxRuns).
std::vector<double> interleavedMedians(int maxRuns, const std::vector<std::function<void()>>& fns) {
  using Clock = std::chrono::steady_clock;
  double once = 0;
  for (const auto& f : fns) {  // warm-up, also sizes the run count
    const auto t0 = Clock::now();
    f();
    once += std::chrono::duration<double>(Clock::now() - t0).count();
  }
  const int runs = std::clamp(static_cast<int>(6.0 / std::max(once, 1e-6)), 3, std::max(3, maxRuns));
  std::vector<std::vector<double>> t(fns.size());
  for (int r = 0; r < runs; ++r)
    for (std::size_t i = 0; i < fns.size(); ++i) {
      const auto t0 = Clock::now();
      fns[i]();
      t[i].push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
  std::vector<double> med;
  for (auto& v : t) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    med.push_back(v[v.size() / 2]);
  }
  return med;
}

}  // namespace

std::vector<BenchRow> benchNetworks(int maxThreads, int runs) {
  std::vector<BenchRow> rows;
  std::vector<int> threadCounts = {1};
  if (maxThreads > 1) threadCounts.push_back(maxThreads);
  nn::InputShape in;
  in.channels = 1, in.size = 28, in.classes = 10;
  for (const char* arch : {"lenet5", "vgg-s", "resnet20", "resnet18"}) {
    const auto cfg = config::parseExperimentText(std::string(R"({"model": {"arch": ")") + arch +
                                                 R"("}, "quant": {"weights": {"scheme": "lsq"}, "activations": {"scheme": "lsq"}}})",
                                                 "bench");
    torch::manual_seed(1);
    auto net = nn::makeModel(cfg.model, in);
    nn::applyQuantPolicy(*net, cfg.quant);
    auto fp = nn::makeModel(cfg.model, in);  // same architecture, no quantizers: the fp32 baseline
    const auto sample = torch::randn({64, 1, 28, 28});
    Engine engine(buildTnn(*net, cfg, sample));
    torch::NoGradGuard noGrad;
    net->eval();
    fp->eval();
    for (const int batch : {64, 1}) {
      const auto x = sample.slice(0, 0, batch).contiguous();
      const float* px = x.data_ptr<float>();
      for (const int threads : threadCounts) {
        at::set_num_threads(threads);
        EngineOptions o;
        o.threads = threads;
        BenchRow r;
        r.level = "network";
        r.kernel = "network";
        r.shape = std::string(arch) + "_1x28_b" + std::to_string(batch) + "_t" + std::to_string(threads);
        r.M = batch;
        const auto med = interleavedMedians(runs, {[&] { (void)engine.run(px, batch, o); }, [&] { (void)fp->forward(x); },
                                                   [&] { (void)net->forward(x); }});
        r.seconds = med[0];
        const double fpSeconds = med[1];
        r.torchSeconds = med[2];
        r.imagesPerSecond = batch / r.seconds;
        r.torchImagesPerSecond = batch / r.torchSeconds;
        r.torchFpImagesPerSecond = batch / fpSeconds;
        r.ratioToTorch = fpSeconds / r.seconds;  // vs the plain fp32 eval forward
        rows.push_back(r);
      }
    }
  }
  at::set_num_threads(maxThreads);
  return rows;
}

}  // namespace ternlab::engine
