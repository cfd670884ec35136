#pragma once
// `ternlab-cli bench`: kernels, layers (with packing) and whole packed networks against LibTorch fp32 on
// the same shapes in one process; results can be recorded as a run of kind "bench".
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ternlab::engine {

// One measured row. level: kernel (GEMM only, operands pre-packed) | layer (float in, quantize + pack +
// im2row + GEMM + epilogue) | network (images/s of a packed network vs the LibTorch eval forward).
struct BenchRow {
  std::string level, kernel, shape;
  std::int64_t M = 0, N = 0, K = 0;
  double seconds = 0;       // median
  double gmacPerSecond = 0;
  double macPerCycle = 0;
  double percentOfBound = 0;
  double torchSeconds = 0;  // median of torch::mm / torch::conv2d / eval forward on the same shape
  double ratioToTorch = 0;  // torchSeconds / seconds (> 1: the ternary kernel is faster)
  double ratioTo4Pop = 0;   // twobit4pop seconds / seconds on the same shape (kernel rows)
  double imagesPerSecond = 0, torchImagesPerSecond = 0, torchFpImagesPerSecond = 0;  // network rows
  double onnxRuntimeFpImagesPerSecond = 0;  // network rows: ONNX Runtime fp32 on the same graph (0: not measured)
};

struct BenchSuiteOptions {
  int threads = 1;
  int runs = 30;
  bool full = false;  // every kernel on the 2048 GEMM too (slow)
  bool kernelsOnly = false;  // GEMM rows only (the GUI's quick panel): no layer or network rows
  bool networksOnly = false; // the engine's layer rows and the network rows only
  std::function<void(int done, int total)> progress;  // after each shape; called on the measuring thread
};

struct BenchSuiteResult {
  std::string isa;
  std::string baselineIsa;  // LibTorch's oneDNN cap (DNNL_MAX_CPU_ISA, e.g. "AVX2"), or "native" (the CPU's best)
  double cpuHz = 0;
  double boundMacPerCycle = 0;
  std::string boundNote;
  int threads = 1, runs = 30;
  std::vector<BenchRow> rows;
};

BenchSuiteResult runBenchSuite(const BenchSuiteOptions& o);
// Records the suite as a finished run of kind "bench" with metrics bench/<kernel>/<shape>/<quantity>.
std::int64_t recordBench(const BenchSuiteResult& r, const std::string& dbPath);

// The network rows of the newest finished bench run in the store that has any (isa, threads and runs from
// its record), and that run's id; {rows empty, 0} when there is none.
struct RecordedNetworks {
  BenchSuiteResult result;
  std::int64_t run = 0;
};
RecordedNetworks latestNetworkBench(const std::string& dbPath);

}  // namespace ternlab::engine
