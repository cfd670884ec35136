#pragma once
// Layer shapes benchmarked, as GEMMs (M = output pixels, N = out channels, K = kh*kw*in ch) and,
// for 3x3/1x1 convolutions, with their conv geometry so torch::conv2d runs the same layer.
#include <string>
#include <vector>

#include "kernels/KernelBench.h"

namespace ternlab::bench {

// One benchmarked layer; isConv = conv geometry valid (convC, convHW, convOutC, convKernel).
struct LayerShape {
  kernels::BenchShape gemm;
  bool isConv = false;
  bool isFc = false;
};

std::vector<LayerShape> allShapes();
// MACs/cycle denominators: the clock, measured once with the dependent imul chain.
double clockHz();
int benchThreads();
void setBenchThreads(int n);

}  // namespace ternlab::bench
