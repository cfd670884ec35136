#pragma once
// End-to-end rows of the bench: a packed network (random weights, the same graph as training) against
// the LibTorch eval forward of the plain fp32 model and of the fake-quant graph, same batch and threads,
// in the same process.
#include <vector>

#include "engine/BenchSuite.h"

namespace ternlab::engine {

// LeNet-5, VGG-S, ResNet-20 and ResNet-18 on 1x28x28 with ternary weights and activations (LSQ, {0,1,2}
// codes after ReLU), batch 64 (throughput) and batch 1 (latency), on 1 and maxThreads threads.
// The three forwards of a row are timed in turn, call by call; `runs` bounds the rounds (fewer for slow rows:
// about six seconds a row).
std::vector<BenchRow> benchNetworks(int maxThreads, int runs);

}  // namespace ternlab::engine
