#pragma once
// End-to-end rows of the bench: a packed network (random weights, same graph as training) vs the
// LibTorch eval forward of the fake-quant graph and of the plain fp32 model, same batch and threads.
#include <vector>

#include "engine/BenchSuite.h"

namespace ternlab::engine {

// LeNet-5 (TWN weights, FP activations -> int8 path) on 1x28x28 and ResNet-20 (TWN weights, signed
// ternary activations -> 2-popcount path) on 3x32x32, batch 64; images/s medians of `runs` batches.
std::vector<BenchRow> benchNetworks(int threads, int runs);

}  // namespace ternlab::engine
