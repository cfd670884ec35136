// Registers the torch fp32 baseline rows on the same shapes: torch_fp32_conv2d/<shape> for conv
// layers, torch_fp32_mm/<shape> for every GEMM view, torch_fp32_linear/<shape> for FC.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "BenchCounters.h"

namespace ternlab::bench {

namespace {

// x (M×K) times the weights: torch::mm with K×N weights, or torch::linear with N×K ones (the FC layer's form).
void registerMatmul(const std::string& name, const kernels::BenchShape& g, double macs, bool linear) {
  benchmark::RegisterBenchmark(name.c_str(), [g, macs, linear](benchmark::State& st) {
    torch::NoGradGuard ng;
    const auto x = torch::randn({g.M, g.K});
    const auto w = linear ? torch::randn({g.N, g.K}) : torch::randn({g.K, g.N});
    timeMacs(st, macs, [&] { benchmark::DoNotOptimize(linear ? torch::linear(x, w) : torch::mm(x, w)); });
  })->UseRealTime()->Unit(benchmark::kMicrosecond);
}

}  // namespace

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
    registerMatmul("torch_fp32_mm/" + g.name, g, macs, false);
    if (s.isFc) registerMatmul("torch_fp32_linear/" + g.name, g, macs, true);
  }
}

}  // namespace ternlab::bench
