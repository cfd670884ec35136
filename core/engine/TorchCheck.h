#pragma once
// Engine vs the LibTorch training graph of the same run: identical predictions and, for layers with
// ternary activations, integer accumulators vs the fake-quant conv output divided by alpha_w * alpha_a.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/Engine.h"
#include "nn/TernaryNet.h"

namespace ternlab::engine {

// argmax of the eval forward in batches (NoGrad, eval mode).
std::vector<int> torchPredict(nn::TernaryNet& net, const at::Tensor& images, std::int64_t batch = 500);

// Per ternary-activation layer (by name): max |engine accumulator - round(conv(x_q, W_q) / (alpha_a alpha_w))|
// on one batch, where x_q, W_q are the graph's own codes times scales from its forward on that batch.
// Empty when the model has no ternary-activation layer.
std::map<std::string, std::int64_t> accumulatorDiff(nn::TernaryNet& net, Engine& engine, const at::Tensor& batch,
                                                    int threads);

}  // namespace ternlab::engine
