#include "engine/ArchProgram.h"

#include <stdexcept>

namespace ternlab::engine {

namespace {

// Builds a program op by op; activations name their module so RPReLU parameters can be found.
class ProgramBuilder {
 public:
  explicit ProgramBuilder(ActKind act) : act_(act) {}
  void conv(int layer, const std::string& actModule) {
    TnnOp o;
    o.op = OpKind::Conv;
    o.layer = layer;
    setAct(o, actModule);
    p_.ops.push_back(o);
  }
  void act(const std::string& actModule) {
    TnnOp o;
    o.op = OpKind::Act;
    setAct(o, actModule);
    p_.ops.push_back(o);
  }
  void simple(OpKind k, int arg = 0) {
    TnnOp o;
    o.op = k;
    if (k == OpKind::MaxPool) o.k = arg;
    if (k == OpKind::ShortcutConv) o.layer = arg;
    p_.ops.push_back(o);
  }
  void shortcutA(int stride, int extraChannels) {
    TnnOp o;
    o.op = OpKind::AddShortcutA;
    o.stride = stride;
    o.padLo = extraChannels / 2;
    o.padHi = extraChannels - extraChannels / 2;
    p_.ops.push_back(o);
  }
  ArchProgram take() { return std::move(p_); }

 private:
  void setAct(TnnOp& o, const std::string& module) {
    if (module.empty()) return;
    o.act = act_;
    if (act_ == ActKind::Rprelu) {
      o.actIndex = static_cast<int>(p_.rpreluModules.size());
      p_.rpreluModules.push_back(module + ".rprelu");
    }
  }
  ActKind act_;
  ArchProgram p_;
};

// Basic blocks from layer `first` on: conv1, conv2[, shortcut] each; option A when `projection` is false.
int basicBlocks(ProgramBuilder& b, const std::vector<TnnLayer>& layers, int first, bool projection) {
  const int n = static_cast<int>(layers.size());
  int i = first;
  while (i + 1 < n - 1) {
    const auto& c1 = layers[i];
    const auto& c2 = layers[i + 1];
    const std::string block = c1.name.substr(0, c1.name.rfind('.'));
    const bool hasShortcut = projection && i + 2 < n - 1 && layers[i + 2].name == block + ".shortcut";
    b.simple(OpKind::Save);
    b.conv(i, block + ".act1");
    if (hasShortcut) b.simple(OpKind::ShortcutConv, i + 2);
    b.conv(i + 1, "");
    if (hasShortcut)
      b.shortcutA(1, 0);  // the saved tensor is now the projection: plain add
    else
      b.shortcutA(c1.stride, c2.outC - c1.inC);
    b.act(block + ".act2");
    i += hasShortcut ? 3 : 2;
  }
  return i;
}

}  // namespace

ArchProgram programFor(const std::string& arch, const std::vector<TnnLayer>& layers, ActKind act) {
  ProgramBuilder b(act);
  const int n = static_cast<int>(layers.size());
  if (arch == "lenet5") {
    if (n != 5) throw std::invalid_argument("lenet5 should have 5 layers");
    b.conv(0, "act1");
    b.simple(OpKind::MaxPool, 2);
    b.conv(1, "act2");
    b.simple(OpKind::MaxPool, 2);
    b.simple(OpKind::Flatten);
    b.conv(2, "act3");
    b.conv(3, "act4");
    b.conv(4, "");
    return b.take();
  }
  if (arch == "vgg-s") {
    if (n != 7) throw std::invalid_argument("vgg-s should have 7 layers");
    for (int i = 0; i < 6; ++i) {
      b.conv(i, "act" + std::to_string(i + 1));
      if (i % 2 == 1) b.simple(OpKind::MaxPool, 2);
    }
    b.simple(OpKind::Flatten);
    b.conv(6, "");
    return b.take();
  }
  if (arch == "resnet20" || arch == "resnet18") {
    if (n < 3) throw std::invalid_argument(arch + ": unexpected layer list");
    if (layers[0].kernel != 3) throw std::invalid_argument(arch + ": the packed engine runs the 3x3 CIFAR stem only");
    b.conv(0, "act1");
    const int end = basicBlocks(b, layers, 1, arch == "resnet18");
    if (end != n - 1) throw std::invalid_argument(arch + ": unexpected layer list at " + layers[end].name);
    b.simple(OpKind::Gap);
    b.conv(n - 1, "");
    return b.take();
  }
  throw std::invalid_argument("the packed engine runs lenet5, vgg-s, resnet20 and resnet18, not '" + arch + "'");
}

std::string batchNormFor(const std::string& arch, const std::string& layer) {
  if (arch == "lenet5") {
    if (layer == "conv1") return "bn1";
    if (layer == "conv2") return "bn2";
    if (layer == "fc1") return "bn3";
    if (layer == "fc2") return "bn4";
    return "";
  }
  if (arch == "vgg-s") {
    if (layer.rfind("conv", 0) == 0) return "bn" + layer.substr(4);
    return "";
  }
  if (arch == "resnet20" || arch == "resnet18") {
    if (layer == "conv1") return "bn1";
    const auto sc = layer.rfind(".shortcut");
    if (sc != std::string::npos && sc + 9 == layer.size()) return layer.substr(0, sc) + ".bn_shortcut";
    const auto dot = layer.rfind(".conv");
    if (dot != std::string::npos) return layer.substr(0, dot) + ".bn" + layer.substr(dot + 5);
    return "";
  }
  return "";
}

}  // namespace ternlab::engine
