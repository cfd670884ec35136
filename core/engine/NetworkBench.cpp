#include "engine/NetworkBench.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

#include "config/ExperimentConfig.h"
#include "engine/Engine.h"
#include "engine/TnnExport.h"
#include "kernels/MedianTimer.h"
#include "nn/TernaryNet.h"

namespace ternlab::engine {

namespace {

// Median seconds of fn over as many calls as fit in about two seconds (at least 3, at most maxRuns).
template <class Fn>
double medianWithin(int maxRuns, Fn fn) {
  const auto t0 = std::chrono::steady_clock::now();
  fn();  // warm-up, also sizes the run count
  const double once = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int runs = std::clamp(static_cast<int>(2.0 / std::max(once, 1e-6)), 3, std::max(3, maxRuns));
  return kernels::medianSeconds(runs, fn);
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
        r.seconds = medianWithin(runs, [&] { (void)engine.run(px, batch, o); });
        const double fpSeconds = medianWithin(runs, [&] { (void)fp->forward(x); });
        r.torchSeconds = medianWithin(std::min(runs, 10), [&] { (void)net->forward(x); });
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
