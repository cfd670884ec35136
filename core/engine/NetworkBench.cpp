#include "kernels/MedianTimer.h"
#include "engine/NetworkBench.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

#include "config/ExperimentConfig.h"
#include "engine/Engine.h"
#include "engine/TnnExport.h"
#include "nn/TernaryNet.h"

namespace ternlab::engine {

namespace {

nn::InputShape shapeOf(std::int64_t channels, std::int64_t size) {
  nn::InputShape in;
  in.channels = channels;
  in.size = size;
  in.classes = 10;
  return in;
}


BenchRow benchOne(const std::string& json, const nn::InputShape& in, int threads, int runs) {
  const auto cfg = config::parseExperimentText(json, "bench");
  torch::manual_seed(1);
  auto net = nn::makeModel(cfg.model, in);
  nn::applyQuantPolicy(*net, cfg.quant);
  auto fp = nn::makeModel(cfg.model, in);  // same architecture, no quantizers: the fp32 baseline
  const std::int64_t batch = 64;
  const auto x = torch::randn({batch, in.channels, in.size, in.size});
  Engine engine(buildTnn(*net, cfg, x));
  torch::NoGradGuard noGrad;
  net->eval();
  fp->eval();
  EngineOptions o;
  o.threads = threads;
  const float* px = x.data_ptr<float>();
  BenchRow r;
  r.level = "network";
  r.kernel = "network";
  r.shape = net->arch() + "_b64";
  r.M = batch;
  r.seconds = kernels::medianSeconds(runs, [&] { (void)engine.run(px, static_cast<int>(batch), o); });
  r.torchSeconds = kernels::medianSeconds(runs, [&] { (void)net->forward(x); });
  const double fpSeconds = kernels::medianSeconds(runs, [&] { (void)fp->forward(x); });
  r.imagesPerSecond = batch / r.seconds;
  r.torchImagesPerSecond = batch / r.torchSeconds;
  r.torchFpImagesPerSecond = batch / fpSeconds;
  r.ratioToTorch = fpSeconds / r.seconds;  // vs the plain fp32 eval forward
  return r;
}

}  // namespace

std::vector<BenchRow> benchNetworks(int threads, int runs) {
  at::set_num_threads(threads);
  std::vector<BenchRow> rows;
  rows.push_back(benchOne(R"({"model": {"arch": "lenet5"}, "quant": {"weights": {"scheme": "twn"}}})",
                          shapeOf(1, 28), threads, runs));
  rows.push_back(benchOne(R"({"model": {"arch": "resnet20"}, "dataset": {"name": "cifar10"},
                             "quant": {"weights": {"scheme": "twn"}, "activations": {"scheme": "twn"}}})",
                          shapeOf(3, 32), threads, runs));
  return rows;
}

}  // namespace ternlab::engine
