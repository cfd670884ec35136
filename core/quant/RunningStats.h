#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <functional>
#include <vector>

namespace ternlab::quant {

// The batch statistics an activation quantizer derives its thresholds from (TWN's Δ and α, He et al.'s
// β·max|A|, eq. 9's k and shift), tracked as an exponential moving average while training and used in
// evaluation, as BatchNorm does. The eval forward of an image then no longer depends on the rest of its
// batch, which is what lets the packed engine reproduce it exactly. Kept in two buffers of the owner, so
// checkpoints carry them; a checkpoint without them evaluates on batch statistics as before.
class RunningStats {
 public:
  RunningStats(torch::nn::Module& owner, int count, double momentum = 0.1);
  // True in evaluation once at least one training batch was recorded: use values(), skip the batch.
  bool frozen(bool training) const;
  std::vector<double> values() const;
  // Records one training batch: running = (1 − m)·running + m·batch (the first batch is taken as is).
  void update(const std::vector<double>& batch);

 private:
  at::Tensor running_, batches_;
  double momentum_;
};

// One forward of a threshold quantizer whose Δ and α come from the tensor (TWN, He et al.): with frozen
// running statistics (eval) Δ and α are the running ones; otherwise Δ = batchDelta(), α = mean |x| over
// the selected entries, recorded while training. The selection is |x| > Δ (inclusive: |x| ≥ Δ); the codes
// are sign(x) there. Fused passes (ThresholdOps.h).
struct ThresholdResult {
  at::Tensor codes;
  double delta = 0, alpha = 0;
};
ThresholdResult thresholdAndScale(RunningStats* running, bool training, const at::Tensor& x,
                                  const std::function<double()>& batchDelta, bool inclusive);

}  // namespace ternlab::quant
