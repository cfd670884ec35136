#pragma once
// Reads and sets a module's named parameters in the quantizer tests (scales, thresholds, widths).
#include <torch/torch.h>

#include <string>

namespace ternlab::testsupport {

inline at::Tensor param(torch::nn::Module& m, const std::string& name) { return m.named_parameters()[name]; }

inline void setParam(torch::nn::Module& m, const std::string& name, double v) {
  torch::NoGradGuard g;
  param(m, name).fill_(v);
}

}  // namespace ternlab::testsupport
