// bench_kernels entry: --threads=N (default 1, also sets at::set_num_threads) plus the usual
// Google Benchmark flags; prints the measured clock and ISA first.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "BenchShapes.h"
#include "kernels/Isa.h"

namespace ternlab::bench {
void registerKernelBenchmarks();
void registerTorchBenchmarks();
}  // namespace ternlab::bench

int main(int argc, char** argv) {
  ternlab::kernels::matchBaselineIsaToKernels();  // torch_fp32 rows at the kernels' ISA when it is forced lower
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      ternlab::bench::setBenchThreads(std::atoi(argv[i] + 10));
      continue;
    }
    args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  at::set_num_threads(ternlab::bench::benchThreads());
  std::printf("ternlab bench: clock %.3f GHz (dependent imul chain), best ISA %s, vnni %d, threads %d, bound %.1f MAC/cycle\n",
              ternlab::bench::clockHz() * 1e-9, ternlab::kernels::isaName(ternlab::kernels::defaultIsa()),
              static_cast<int>(ternlab::kernels::hasVnni()), ternlab::bench::benchThreads(),
              ternlab::kernels::kTernaryMacPerCycleBound);
  ternlab::bench::registerKernelBenchmarks();
  ternlab::bench::registerTorchBenchmarks();
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
