#pragma once
// What the engine must know about a zoo architecture beyond its layers: the op sequence between them,
// which BatchNorm follows which layer, and which activation module each activation op stands for.
// Exists so export stays generic over LeNet-5 / VGG-S / ResNet-20 / ResNet-18.
#include <string>
#include <vector>

#include "engine/TnnModel.h"

namespace ternlab::engine {

// A program and, when the network uses RPReLU, the module name of each RPReLU it refers to
// (op.actIndex indexes `rpreluModules`; the exporter reads their parameters).
struct ArchProgram {
  std::vector<TnnOp> ops;
  std::vector<std::string> rpreluModules;
};

// act: the model's nonlinearity (Relu or Rprelu). Throws std::invalid_argument for an architecture or
// layer list the engine cannot run (the message names it).
ArchProgram programFor(const std::string& arch, const std::vector<TnnLayer>& layers, ActKind act);
// Dotted module name of the BatchNorm applied to the layer's output; empty when none.
std::string batchNormFor(const std::string& arch, const std::string& layerName);

}  // namespace ternlab::engine
