#include "nn/LayerKind.h"

#include <stdexcept>

namespace ternlab::nn {

const char* layerKindName(LayerKind k) { return k == LayerKind::Linear ? "linear" : "conv"; }

LayerKind parseLayerKind(const std::string& s) {
  for (LayerKind k : {LayerKind::Conv, LayerKind::Linear})
    if (s == layerKindName(k)) return k;
  throw std::invalid_argument("unknown layer kind '" + s + "' (known: conv, linear)");
}

}  // namespace ternlab::nn
