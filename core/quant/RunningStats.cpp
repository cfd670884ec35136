#include "quant/RunningStats.h"

#include <torch/torch.h>

#include <cmath>

#include "quant/ThresholdOps.h"

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
  // A non-finite batch value (an overflowing activation) would stay in the average for good: the run would go
  // on training on batch statistics while every evaluation used Δ = ∞, all codes 0. Such a batch is not recorded.
  for (const double v : batch)
    if (!std::isfinite(v)) return;
  torch::NoGradGuard guard;
  const bool first = batches_.item<double>() == 0;
  auto* p = running_.data_ptr<double>();
  for (std::size_t i = 0; i < batch.size() && i < static_cast<std::size_t>(running_.numel()); ++i)
    p[i] = first ? batch[i] : (1 - momentum_) * p[i] + momentum_ * batch[i];
  batches_.add_(1);
}

ThresholdResult thresholdAndScale(RunningStats* running, bool training, const at::Tensor& x,
                                  const std::function<double()>& batchDelta, bool inclusive) {
  ThresholdResult r;
  const bool frozen = running && running->frozen(training);
  if (!frozen) r.delta = batchDelta();
  // Eval uses the running values; so does a training batch whose statistic overflowed, instead of being zeroed.
  if (frozen || (!std::isfinite(r.delta) && running && running->frozen(false))) {
    const auto v = running->values();
    r.delta = v[0];
    r.alpha = v[1];
    r.codes = thresholdCodes(x, r.delta, inclusive).codes;
    return r;
  }
  auto tc = thresholdCodes(x, r.delta, inclusive);
  r.codes = std::move(tc.codes);
  r.alpha = tc.meanSelectedAbs();
  if (running && training) running->update({r.delta, r.alpha});
  return r;
}

}  // namespace ternlab::quant
