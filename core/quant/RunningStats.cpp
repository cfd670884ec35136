#include "quant/RunningStats.h"

#include <torch/torch.h>

namespace ternlab::quant {

RunningStats::RunningStats(torch::nn::Module& owner, int count, double momentum) : momentum_(momentum) {
  running_ = owner.register_buffer("running_stats", torch::zeros({count}, torch::kFloat64));
  batches_ = owner.register_buffer("running_batches", torch::zeros({}, torch::kFloat64));
}

bool RunningStats::frozen(bool training) const { return !training && batches_.item<double>() > 0; }

std::vector<double> RunningStats::values() const {
  const auto t = running_.contiguous();
  const auto* p = t.data_ptr<double>();
  return {p, p + t.numel()};
}

void RunningStats::update(const std::vector<double>& batch) {
  torch::NoGradGuard guard;
  const bool first = batches_.item<double>() == 0;
  auto* p = running_.data_ptr<double>();
  for (std::size_t i = 0; i < batch.size() && i < static_cast<std::size_t>(running_.numel()); ++i)
    p[i] = first ? batch[i] : (1 - momentum_) * p[i] + momentum_ * batch[i];
  batches_.add_(1);
}

at::Tensor thresholdAndScale(RunningStats* running, bool training, const at::Tensor& absx,
                             const std::function<double()>& batchDelta,
                             const std::function<at::Tensor(double)>& select, double& delta, double& alpha) {
  const bool frozen = running && running->frozen(training);
  if (frozen) {
    const auto v = running->values();
    delta = v[0];
    alpha = v[1];
    return select(delta);
  }
  delta = batchDelta();
  const auto mask = select(delta);
  const auto count = mask.sum().item<double>();
  alpha = count > 0 ? absx.masked_select(mask).sum().item<double>() / count : 0.0;
  if (running && training) running->update({delta, alpha});
  return mask;
}

}  // namespace ternlab::quant
