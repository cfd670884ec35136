#pragma once
// Kernel-vs-kernel micro-benchmark without Google Benchmark (for `ternlab-cli bench`): same
// process, same shapes, median of >= 30 runs, MAC/cycle against the measured imul clock and
// against the 2-popcount AVX-512 bound 512/3 ~ 171 MAC/cycle (docs/ARCHITECTURE.md).
#include <functional>
#include <string>
#include <vector>

#include "kernels/GemmOptions.h"
#include "kernels/Isa.h"

namespace ternlab::kernels {

inline constexpr double kTernaryMacPerCycleBound = 512.0 / 3.0;
// AVX2 2-popcount step per 256 MACs: and, xor, and (3) + 2 nibble-LUT popcounts (2 x [and, shift, and,
// 2 vpshufb, add] = 12) + 1 accumulate = 16 vector uops; Zen 3 issues 4 vector uops/cycle -> 64.
inline constexpr double kTernaryMacPerCycleBoundAvx2 = 64.0;
// The instruction bound of the 2-popcount GEMM on the path `isa` runs (per core): the AVX-512 figure, the
// AVX2 figure for every other path.
inline double ternaryMacPerCycleBound(Isa isa) {
  return isa == Isa::Avx512 ? kTernaryMacPerCycleBound : kTernaryMacPerCycleBoundAvx2;
}

// Which kernel a benchmark row measures (GEMM-only rows exclude packing; ConvLayer includes it).
enum class BenchKernel { Ternary2Pop, TwoBit4Pop, HalfRange, Int8, ConvLayer };

// One row per benchmarked kernel, read by `ternlab-cli bench`, the Google Benchmark suite and benchKernelName:
// a new kernel is one row here and one case in makeBenchRun.
struct BenchKernelRow {
  BenchKernel kernel;
  const char* name;
  bool convOnly;  // a whole conv layer (quantize, pack, GEMM, epilogue): conv shapes only
  bool fullOnly;  // left out of the 2048 x 2048 GEMM row unless --full (slow there, and no new information)
};
inline constexpr BenchKernelRow kBenchKernels[] = {
    {BenchKernel::TwoBit4Pop, "twobit4pop", false, false},  {BenchKernel::Ternary2Pop, "ternary2pop", false, false},
    {BenchKernel::HalfRange, "halfrange2pop", false, true}, {BenchKernel::Int8, "int8", false, true},
    {BenchKernel::ConvLayer, "convlayer", true, false},
};
const char* benchKernelName(BenchKernel k);

// A GEMM shape: M activation rows (pixels), N output channels, K reduction length. For
// ConvLayer rows the conv geometry is taken from `conv*` fields (3x3, stride 1, pad 1).
struct BenchShape {
  std::string name;
  int M = 0, N = 0, K = 0;
  int convC = 0, convHW = 0, convOutC = 0, convKernel = 3;  // only for ConvLayer; 0 = derived
};

// One measured row; macPerCycle uses measuredCpuHz().
struct BenchResult {
  std::string kernel;
  std::string isa;
  std::string shape;
  int M = 0, N = 0, K = 0;
  int threads = 1;
  int runs = 0;
  double medianSeconds = 0;
  double gmacPerSecond = 0;
  double macPerCycle = 0;
  double percentOfBound = 0;  // of kTernaryMacPerCycleBound
};

// What to run: every (shape, kernel, isa) combination; empty isas = activeIsa() only.
struct BenchConfig {
  std::vector<BenchShape> shapes;
  std::vector<BenchKernel> kernels{BenchKernel::Ternary2Pop, BenchKernel::TwoBit4Pop};
  std::vector<Isa> isas;
  int threads = 1;
  int runs = 30;
};

// ResNet-18 3x3 layers as GEMMs (M = HW, N = out ch, K = 9 * in ch), batch 1.
std::vector<BenchShape> resnet18ConvShapes();
// conv shapes for ConvLayer rows (ResNet-20 / ResNet-18 3x3 layers, batch 1).
std::vector<BenchShape> convLayerShapes();

std::vector<BenchResult> runKernelBench(const BenchConfig& config);

// The timed body of one row with its random operands already packed (GEMM rows exclude packing,
// ConvLayer includes quantize/pack/im2row and the epilogue). Reused by bench/ (Google Benchmark).
std::function<void()> makeBenchRun(BenchKernel kernel, const BenchShape& shape, const GemmOptions& opts);

}  // namespace ternlab::kernels
