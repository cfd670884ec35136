// Registers ternlab kernel rows: <kernel>/<isa>/<shape>, for every ISA this CPU has (above reference).
#include <benchmark/benchmark.h>

#include <string>

#include "BenchCounters.h"
#include "kernels/KernelBench.h"

namespace ternlab::bench {

void registerKernelBenchmarks() {
  using kernels::BenchKernel;
  for (const LayerShape& s : allShapes()) {
    for (const auto& row : kernels::kBenchKernels) {
      const BenchKernel k = row.kernel;
      if (row.convOnly && !s.isConv) continue;
      for (kernels::Isa isa : kernels::availableIsas()) {
        if (isa == kernels::Isa::Reference) continue;
        // The portable path is a correctness fallback (~1-5 MAC/cycle): skip it on huge shapes.
        if (isa == kernels::Isa::Portable && static_cast<double>(s.gemm.M) * s.gemm.N * s.gemm.K > 2e9) continue;
        const std::string name = std::string(kernels::benchKernelName(k)) + "/" + kernels::isaName(isa) + "/" + s.gemm.name;
        const kernels::BenchShape shape = s.gemm;
        benchmark::RegisterBenchmark(name.c_str(), [k, shape, isa](benchmark::State& st) {
          const auto run = kernels::makeBenchRun(k, shape, kernels::GemmOptions().isa(isa).threads(benchThreads()));
          timeMacs(st, static_cast<double>(shape.M) * shape.N * shape.K, run);
        })->UseRealTime()->Unit(benchmark::kMicrosecond);
      }
    }
  }
}

}  // namespace ternlab::bench
