#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ternlab::report {

// One stored checkpoint of a run (or of one of its pipeline stages) that the kernel view can show.
struct CheckpointRef {
  std::string label;  // "fp / epoch 3", "ternary / final"
  std::string path;
  std::int64_t stageRun = 0;
  std::int64_t step = 0;
};

// The latent full-precision weights of one quantized layer beside their ternary codes, per threshold /
// REL branch, as the training graph computes them at a checkpoint (He et al. Fig. 5): what the kernel
// view draws. Plain vectors, so a view can hold it without touching LibTorch.
struct KernelSnapshot {
  std::string layer, kind, scheme;  // kind: conv | linear
  bool ternary = false;
  std::vector<std::int64_t> shape;  // [out, in, kh, kw] or [out, in]
  std::vector<float> latent;        // row-major, shape
  std::vector<std::vector<std::int8_t>> codes;      // per branch, row-major, shape
  std::vector<std::vector<double>> thresholds;      // per branch, in latent-weight units
  std::vector<std::vector<double>> scales;          // per branch
  std::int64_t numel() const;
  double density(std::size_t branch) const;
};

// Every checkpoint of a run: per-epoch ones and the final one, stage by stage for a pipeline, in order.
std::vector<CheckpointRef> listCheckpoints(const std::string& dbPath, std::int64_t runId);

// Rebuilds the run's model (its last stage's quantization policy), loads `checkpoint` into it (an FP stage's
// checkpoint is then shown ternarized by the final policy: the "initial" kernels), and collects every
// quantized layer through the npz export path, so the codes are exactly those an export writes.
// Throws std::runtime_error naming what is missing.
std::vector<KernelSnapshot> kernelSnapshots(const std::string& dbPath, std::int64_t runId, const std::string& checkpoint);

}  // namespace ternlab::report
