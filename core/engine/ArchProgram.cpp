#include "engine/ArchProgram.h"

#include <stdexcept>

namespace ternlab::engine {

namespace {

TnnOp conv(int layer, bool relu) {
  TnnOp o;
  o.op = "conv";
  o.layer = layer;
  o.relu = relu;
  return o;
}

TnnOp simple(const std::string& name) {
  TnnOp o;
  o.op = name;
  return o;
}

}  // namespace

std::vector<TnnOp> programFor(const std::string& arch, const std::vector<TnnLayer>& layers) {
  std::vector<TnnOp> p;
  const int n = static_cast<int>(layers.size());
  if (arch == "lenet5") {
    if (n != 5) throw std::invalid_argument("lenet5 should have 5 layers");
    TnnOp pool = simple("maxpool");
    pool.k = 2;
    p = {conv(0, true), pool, conv(1, true), pool, simple("flatten"), conv(2, true), conv(3, true), conv(4, false)};
    return p;
  }
  if (arch == "resnet20") {
    // stem, then per basic block (conv1, conv2) with an option-A shortcut, then the classifier.
    if (n < 3 || (n - 2) % 2 != 0) throw std::invalid_argument("resnet20: unexpected layer list");
    p.push_back(conv(0, true));
    for (int i = 1; i + 1 < n; i += 2) {
      const auto& c1 = layers[i];
      const auto& c2 = layers[i + 1];
      p.push_back(simple("save"));
      p.push_back(conv(i, true));
      p.push_back(conv(i + 1, false));
      TnnOp add = simple("add_shortcut_a");
      add.stride = c1.stride;
      const int extra = c2.outC - c1.inC;
      add.padLo = extra / 2;
      add.padHi = extra - extra / 2;
      p.push_back(add);
      p.push_back(simple("relu"));
    }
    p.push_back(simple("gap"));
    p.push_back(conv(n - 1, false));
    return p;
  }
  throw std::invalid_argument("the packed engine runs lenet5 and resnet20, not '" + arch + "'");
}

std::string batchNormFor(const std::string& arch, const std::string& layer) {
  if (arch == "lenet5") {
    if (layer == "conv1") return "bn1";
    if (layer == "conv2") return "bn2";
    if (layer == "fc1") return "bn3";
    if (layer == "fc2") return "bn4";
    return "";
  }
  if (arch == "resnet20") {
    if (layer == "conv1") return "bn1";
    const auto dot = layer.rfind(".conv");
    if (dot != std::string::npos) return layer.substr(0, dot) + ".bn" + layer.substr(dot + 5);
    return "";
  }
  return "";
}

}  // namespace ternlab::engine
