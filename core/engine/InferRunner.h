#pragma once
// `ternlab-cli infer`: a .tnn on a dataset split — accuracy, images/s, and agreement with the LibTorch
// eval forward of the run it came from (rebuilt from the run store the file names).
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace ternlab::engine {

struct InferOptions {
  std::string tnnPath;
  std::string data = "fashion-mnist:test";  // name[:split], split = test | train
  std::string db;                          // empty: the db recorded in the .tnn
  int threads = 1;
  std::int64_t limit = 0;  // 0 = the whole split
  int batch = 250;
  bool compare = true;     // rebuild the LibTorch model for the agreement check
  bool fp32Activations = false;  // FP-activation ternary layers: fp32 x ternary instead of int8
};

struct InferReport {
  std::string tnn, isa, activations;
  std::string fpActivationPath;      // int8 (default) | fp32, for layers whose activations are FP
  int threads = 1;
  std::int64_t images = 0;
  double accuracy = 0;               // %
  double engineImagesPerSecond = 0;
  bool compared = false;
  std::string compareNote;           // why the comparison was skipped, if it was
  std::int64_t identical = 0;        // identical predictions engine vs LibTorch
  double torchAccuracy = 0;
  double torchImagesPerSecond = 0;   // LibTorch eval forward, same batches and threads
  std::int64_t accImages = 0;        // images of the accumulator check
  std::map<std::string, std::int64_t> accMaxAbsDiff;  // per ternary-activation layer
  std::vector<std::pair<std::string, double>> profile;  // engine seconds per plan step (whole split)
  std::vector<std::pair<std::string, double>> phases;   // the same by kind of work (quantize/pack, gemm, ...)
  double ternaryMacsPerImage = 0;    // ternary-activation layers, all weight planes
  double kernelBoundShare = 0;       // (those MACs at the kernel's instruction bound) / measured engine time
  double cpuHz = 0;
  double peakRssMiB = 0;             // peak resident memory of the process after the runs
  double activationMiB = 0;          // engine activation buffers at the run's batch size
  std::int64_t tnnBytes = 0;
  nlohmann::json toJson() const;
};

// Throws std::runtime_error (or TnnError) with the file or dataset named.
InferReport runInference(const InferOptions& o);

}  // namespace ternlab::engine
