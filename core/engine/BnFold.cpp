#include "engine/BnFold.h"

#include <cmath>
#include <stdexcept>

namespace ternlab::engine {

FoldedAffine foldBatchNorm(const BnParams& bn, int channels, double alpha, const std::vector<float>& convBias) {
  if (bn.present() && (bn.gamma.size() != static_cast<std::size_t>(channels) || bn.beta.size() != bn.gamma.size() ||
                       bn.mean.size() != bn.gamma.size() || bn.var.size() != bn.gamma.size()))
    throw std::invalid_argument("BatchNorm has a different channel count than its layer");
  FoldedAffine f;
  f.scale.resize(channels);
  f.bias.resize(channels);
  for (int n = 0; n < channels; ++n) {
    const double cb = convBias.empty() ? 0.0 : convBias[n];
    double s = 1.0, b = cb;
    if (bn.present()) {
      s = bn.gamma[n] / std::sqrt(static_cast<double>(bn.var[n]) + bn.eps);
      b = bn.beta[n] - bn.mean[n] * s + cb * s;
    }
    f.scale[n] = static_cast<float>(s * alpha);
    f.bias[n] = static_cast<float>(b);
  }
  return f;
}

}  // namespace ternlab::engine
