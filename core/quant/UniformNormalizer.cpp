#include "quant/UniformNormalizer.h"

#include "quant/UniformOps.h"

#include <torch/torch.h>

#include <cmath>

namespace ternlab::quant {

namespace {
constexpr double kThird1 = 0.4307;  // Φ⁻¹(2/3)
constexpr double kThird2 = 0.9674;  // Φ⁻¹(5/6)
}  // namespace

UniformNormalizer::UniformNormalizer(std::shared_ptr<TensorQuantizer> inner, const UniformOptions& o)
    : inner_(std::move(inner)), half_(o.halfGaussian()) {
  register_module("inner", inner_);
  gamma_ = register_parameter("gamma", torch::ones({}));
  if (o.trackRunning()) running_ = std::make_unique<RunningStats>(*this, 2);
}

at::Tensor UniformNormalizer::forward(const at::Tensor& x) {
  double k = 1, shift = 0;  // Z̃ = γ·(k·Z + shift)
  {
    torch::NoGradGuard guard;
    if (running_ && running_->frozen(is_training())) {
      const auto v = running_->values();
      k = v[0];
      shift = v[1];
    } else if (half_) {
      const double sigma = std::max(1e-12, positiveRms(x));
      k = 1.0 / ((kThird2 - kThird1) * sigma);
      shift = 0.5 - kThird1 * sigma * k;
    } else {
      const auto stats = meanStd(x);
      const double mu = stats.mean;
      const double sigma = std::max(1e-12, stats.std);
      k = 0.5 / (kThird1 * sigma);
      shift = -mu * k;
    }
    if (running_ && is_training()) running_->update({k, shift});
  }
  const double g = gamma_.item<double>();
  lastGamma_ = g;
  lastK_ = k;
  lastRawShift_ = shift;
  // The inner quantizer folds the affine map into its own pass where it can (asym); else it gets Z̃ itself.
  auto out = inner_->forwardAffine(x, gamma_, {g, k, shift});
  if (!out.defined()) out = inner_->forward(gammaAffine(x, gamma_, k, shift));
  // Thresholds back in input units: Z = (Z̃ − γ·shift) / (γ·k).
  auto thresholds = inner_->lastThresholds();
  for (auto& branch : thresholds)
    for (auto& t : branch) t = (t - foldShift()) / foldFactor();
  // The codes are the inner quantizer's, made when asked for (never an int8 copy per training step).
  rememberLazy([inner = inner_.get()] { return inner->lastCodeValues(); }, thresholds, inner_->lastScales(), g);
  return out;
}

double uniformFoldFactor(const TensorQuantizer& q) {
  if (const auto* u = dynamic_cast<const UniformNormalizer*>(&q)) return u->foldFactor();
  return 1.0;
}

}  // namespace ternlab::quant
