#pragma once
// What a quantizable layer computes, named once for the model zoo, the exports, the .tnn file and the engine.
#include <string>

namespace ternlab::nn {

// conv: a 2-D convolution (OIHW weights); linear: a fully connected layer (a 1x1 conv on a 1x1 map).
enum class LayerKind { Conv, Linear };

const char* layerKindName(LayerKind k);  // "conv" | "linear", as in .tnn files and npz exports
LayerKind parseLayerKind(const std::string& s);  // throws std::invalid_argument naming the known kinds

}  // namespace ternlab::nn
