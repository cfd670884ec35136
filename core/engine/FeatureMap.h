#pragma once
// A float NCHW activation tensor owned by the engine (no LibTorch at run time between layers).
#include <cstddef>
#include <vector>

namespace ternlab::engine {

// Plain NCHW buffer; exists so engine ops pass shapes and data together without at::Tensor.
struct FeatureMap {
  int n = 0, c = 0, h = 0, w = 0;
  std::vector<float> data;
  void reset(int n_, int c_, int h_, int w_) {
    n = n_, c = c_, h = h_, w = w_;
    data.resize(static_cast<std::size_t>(n) * c * h * w);
  }
  std::size_t plane() const { return static_cast<std::size_t>(h) * w; }
};

}  // namespace ternlab::engine
