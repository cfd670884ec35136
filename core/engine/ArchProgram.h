#pragma once
// What the engine must know about a zoo architecture beyond its layers: the op sequence between them
// and which BatchNorm follows which layer. Exists so export stays generic over LeNet-5 / ResNet-20.
#include <string>
#include <vector>

#include "engine/TnnModel.h"

namespace ternlab::engine {

// Throws std::invalid_argument for an architecture the engine cannot run (message lists the supported ones).
std::vector<TnnOp> programFor(const std::string& arch, const std::vector<TnnLayer>& layers);
// Dotted module name of the BatchNorm applied to the layer's output; empty when none.
std::string batchNormFor(const std::string& arch, const std::string& layerName);

}  // namespace ternlab::engine
