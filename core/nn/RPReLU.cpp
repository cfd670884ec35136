#include "nn/RPReLU.h"

#include <torch/torch.h>

namespace ternlab::nn {

RPReLUImpl::RPReLUImpl(std::int64_t channels, double initSlope) {
  shiftIn = register_parameter("shift_in", torch::zeros({channels}));
  slope = register_parameter("slope", torch::full({channels}, initSlope));
  shiftOut = register_parameter("shift_out", torch::zeros({channels}));
}

at::Tensor RPReLUImpl::forward(const at::Tensor& x) {
  std::vector<std::int64_t> shape(static_cast<std::size_t>(x.dim()), 1);
  shape.at(1) = x.size(1);
  const auto g = shiftIn.view(shape), b = slope.view(shape), z = shiftOut.view(shape);
  const auto u = x - g;
  return torch::where(u > 0, u, b * u) + z;
}

}  // namespace ternlab::nn
