#pragma once
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <utility>

namespace ternlab::nn {

// Sums a tensor over the ranks of a data-parallel run, in place: what BatchNorm needs to normalise over the
// global batch (the train layer's DataParallel provides it; nn knows only this interface).
class BatchStatsReducer {
 public:
  virtual ~BatchStatsReducer() = default;
  virtual void sumInPlace(at::Tensor& t) = 0;
};

// While alive, the zoo's BatchNorm layers in training mode on this thread normalise with the batch statistics of
// every rank together (sync_bn); the forward sums Σx, Σx², n and the backward Σdy, Σdy·x̂ over the ranks.
class ScopedBatchStatsSync {
 public:
  explicit ScopedBatchStatsSync(BatchStatsReducer* reducer);
  ~ScopedBatchStatsSync();
  ScopedBatchStatsSync(const ScopedBatchStatsSync&) = delete;
  ScopedBatchStatsSync& operator=(const ScopedBatchStatsSync&) = delete;

 private:
  BatchStatsReducer* previous_;
};

// The zoo's BatchNorm (over the channel dimension of (N, C) or (N, C, H, W) input): LibTorch's arithmetic and
// LibTorch's names (weight, bias, running_mean, running_var, num_batches_tracked; checkpoints and PyTorch state
// dicts load as before), whose training forward normalises over all ranks while a ScopedBatchStatsSync is alive
// on the calling thread. A module of its own because LibTorch's BatchNorm cannot be derived from outside it.
class BatchNormImpl : public torch::nn::Cloneable<BatchNormImpl> {
 public:
  explicit BatchNormImpl(std::int64_t features, double eps = 1e-5, double momentum = 0.1);
  void reset() override;
  // Eval mode: y = x·scale + shift per channel, the multiply and the add rounded on their own (two tensor
  // operations), with scale = γ/√(σ² + ε) and shift = β − μ·scale computed in double and rounded once. This is
  // the arithmetic the packed engine's epilogue repeats, so the two agree to the bit.
  at::Tensor forward(const at::Tensor& x);
  // {scale, shift} of the eval forward, float, one value per channel.
  std::pair<at::Tensor, at::Tensor> evalAffine() const;

  std::int64_t features;
  double eps, momentum;
  at::Tensor weight, bias, running_mean, running_var, num_batches_tracked;
};
TORCH_MODULE(BatchNorm);
using BatchNorm2d = BatchNorm;  // (N, C, H, W)
using BatchNorm1d = BatchNorm;  // (N, C)

}  // namespace ternlab::nn
