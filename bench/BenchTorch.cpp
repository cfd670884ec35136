// Registers the torch fp32 baseline rows on the same shapes: torch_fp32_conv2d/<shape> for conv
// layers, torch_fp32_mm/<shape> for every GEMM view, torch_fp32_linear/<shape> for FC.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "BenchCounters.h"

namespace ternlab::bench {

void registerTorchBenchmarks() {
  for (const LayerShape& s : allShapes()) {
    const kernels::BenchShape g = s.gemm;
    const double macs = static_cast<double>(g.M) * g.N * g.K;
    if (s.isConv) {
      benchmark::RegisterBenchmark(("torch_fp32_conv2d/" + g.name).c_str(), [g, macs](benchmark::State& st) {
        torch::NoGradGuard ng;
        const auto x = torch::randn({1, g.convC, g.convHW, g.convHW});
        const auto w = torch::randn({g.convOutC, g.convC, g.convKernel, g.convKernel});
        timeMacs(st, macs, [&] { benchmark::DoNotOptimize(torch::conv2d(x, w, {}, 1, g.convKernel / 2)); });
      })->UseRealTime()->Unit(benchmark::kMicrosecond);
    }
    benchmark::RegisterBenchmark(("torch_fp32_mm/" + g.name).c_str(), [g, macs](benchmark::State& st) {
      torch::NoGradGuard ng;
      const auto x = torch::randn({g.M, g.K});
      const auto w = torch::randn({g.K, g.N});
      timeMacs(st, macs, [&] { benchmark::DoNotOptimize(torch::mm(x, w)); });
    })->UseRealTime()->Unit(benchmark::kMicrosecond);
    if (s.isFc) {
      benchmark::RegisterBenchmark(("torch_fp32_linear/" + g.name).c_str(), [g, macs](benchmark::State& st) {
        torch::NoGradGuard ng;
        const auto x = torch::randn({g.M, g.K});
        const auto w = torch::randn({g.N, g.K});
        timeMacs(st, macs, [&] { benchmark::DoNotOptimize(torch::linear(x, w)); });
      })->UseRealTime()->Unit(benchmark::kMicrosecond);
    }
  }
}

}  // namespace ternlab::bench
