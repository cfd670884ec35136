#include "nn/SyncBatchNorm.h"

#include <torch/torch.h>

namespace ternlab::nn {

namespace {

thread_local BatchStatsReducer* activeReducer = nullptr;

// Batch normalisation over the union of every rank's batch (Ioffe & Szegedy 2015, eq. of Algorithm 1, with the
// mean and variance of all ranks' images): forward y = γ·x̂ + β, x̂ = (x − μ)/√(σ² + ε); backward
// dx = γ/√(σ² + ε) · (dy − Σdy/N − x̂·Σ(dy·x̂)/N), both sums over all N values of a channel on all ranks.
class GlobalBatchNorm : public torch::autograd::Function<GlobalBatchNorm> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
                            const at::Tensor& bias, at::Tensor runningMean, at::Tensor runningVar, double momentum,
                            double eps) {
    const auto c = x.size(1);
    std::vector<int64_t> dims{0};
    for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
    const auto xd = x.to(torch::kFloat64);
    auto stats = torch::cat({xd.sum(dims), (xd * xd).sum(dims),
                             torch::full({1}, static_cast<double>(x.numel() / c), torch::kFloat64)});
    activeReducer->sumInPlace(stats);
    const double n = stats[2 * c].item<double>();
    const auto mean = stats.slice(0, 0, c) / n;
    const auto var = (stats.slice(0, c, 2 * c) / n - mean * mean).clamp_min(0);
    const auto invstd = (var + eps).rsqrt();
    {
      torch::NoGradGuard guard;
      if (runningMean.defined()) {
        runningMean.mul_(1 - momentum).add_(mean.to(runningMean.scalar_type()), momentum);
        runningVar.mul_(1 - momentum).add_((var * (n / std::max(1.0, n - 1))).to(runningVar.scalar_type()), momentum);
      }
    }
    std::vector<int64_t> shape(x.dim(), 1);
    shape[1] = c;
    const auto xhat = ((xd - mean.view(shape)) * invstd.view(shape)).to(x.scalar_type());
    ctx->save_for_backward({xhat, invstd.to(x.scalar_type()), weight});
    ctx->saved_data["n"] = n;
    auto y = xhat;
    if (weight.defined()) y = y * weight.view(shape) + bias.view(shape);
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& xhat = saved[0];
    const auto& invstd = saved[1];
    const auto& weight = saved[2];
    const double n = ctx->saved_data["n"].toDouble();
    const auto& dy = grads[0];
    const auto c = xhat.size(1);
    std::vector<int64_t> dims{0};
    for (int64_t d = 2; d < xhat.dim(); ++d) dims.push_back(d);
    std::vector<int64_t> shape(xhat.dim(), 1);
    shape[1] = c;
    const auto localDy = dy.sum(dims), localDyXhat = (dy * xhat).sum(dims);
    auto sums = torch::cat({localDy, localDyXhat}).to(torch::kFloat64);
    activeReducer->sumInPlace(sums);
    const auto sumDy = sums.slice(0, 0, c).to(dy.scalar_type()), sumDyXhat = sums.slice(0, c, 2 * c).to(dy.scalar_type());
    const auto scale = weight.defined() ? invstd * weight : invstd;
    const auto dx = scale.view(shape) * (dy - sumDy.view(shape) / n - xhat * sumDyXhat.view(shape) / n);
    // γ and β get this rank's share; the gradient allreduce averages them with the others'.
    at::Tensor dw, db;
    if (weight.defined()) {
      dw = localDyXhat;
      db = localDy;
    }
    return {dx, dw, db, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

ScopedBatchStatsSync::ScopedBatchStatsSync(BatchStatsReducer* reducer) : previous_(activeReducer) {
  activeReducer = reducer;
}
ScopedBatchStatsSync::~ScopedBatchStatsSync() { activeReducer = previous_; }

BatchNormImpl::BatchNormImpl(std::int64_t features_, double eps_, double momentum_)
    : features(features_), eps(eps_), momentum(momentum_) {
  reset();
}

void BatchNormImpl::reset() {
  weight = register_parameter("weight", torch::ones({features}));
  bias = register_parameter("bias", torch::zeros({features}));
  running_mean = register_buffer("running_mean", torch::zeros({features}));
  running_var = register_buffer("running_var", torch::ones({features}));
  num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kLong));
}

at::Tensor BatchNormImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 2 || x.dim() == 4, "BatchNorm expects (N, C) or (N, C, H, W) input, got ", x.dim(), " dimensions");
  TORCH_CHECK(x.size(1) == features, "BatchNorm of ", features, " channels got ", x.size(1));
  if (is_training()) {
    torch::NoGradGuard guard;
    num_batches_tracked += 1;
  }
  if (activeReducer && is_training())
    return GlobalBatchNorm::apply(x, weight, bias, running_mean, running_var, momentum, eps);
  if (!is_training()) {
    const auto [scale, shift] = evalAffine();
    std::vector<std::int64_t> shape(static_cast<std::size_t>(x.dim()), 1);
    shape[1] = features;
    return x * scale.to(x.scalar_type()).view(shape) + shift.to(x.scalar_type()).view(shape);
  }
  return torch::batch_norm(x, weight, bias, running_mean, running_var, true, momentum, eps,
                           at::globalContext().userEnabledCuDNN());
}

std::pair<at::Tensor, at::Tensor> BatchNormImpl::evalAffine() const {
  const auto scale = weight.to(torch::kFloat64) / (running_var.to(torch::kFloat64) + eps).sqrt();
  const auto shift = bias.to(torch::kFloat64) - running_mean.to(torch::kFloat64) * scale;
  return {scale.to(torch::kFloat32), shift.to(torch::kFloat32)};
}

}  // namespace ternlab::nn
