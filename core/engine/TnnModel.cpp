#include "engine/TnnModel.h"

#include <cmath>
#include <stdexcept>

namespace ternlab::engine {

namespace {

template <class E, std::size_t N>
E parseByName(const std::string& s, const E (&all)[N], const char* (*name)(E), const char* what) {
  for (E e : all)
    if (s == name(e)) return e;
  std::string list;
  for (E e : all) list += std::string(list.empty() ? "" : ", ") + name(e);
  throw std::invalid_argument("unknown " + std::string(what) + " '" + s + "' (known: " + list + ")");
}

constexpr LayerMode kModes[] = {LayerMode::Float, LayerMode::TernaryInt8Act, LayerMode::TernarySignedAct,
                                LayerMode::TernaryHalfAct};
constexpr OpKind kOps[] = {OpKind::Conv, OpKind::MaxPool,      OpKind::Act,          OpKind::Flatten,
                           OpKind::Save, OpKind::AddShortcutA, OpKind::ShortcutConv, OpKind::Gap};
constexpr ActKind kActs[] = {ActKind::None, ActKind::Relu, ActKind::Rprelu};

std::string stepName(std::size_t i, const TnnOp& o) {
  return "program step " + std::to_string(i) + " (" + opKindName(o.op) + ")";
}

}  // namespace

const char* layerModeName(LayerMode m) {
  switch (m) {
    case LayerMode::Float: return "float";
    case LayerMode::TernaryInt8Act: return "ternary-int8act";
    case LayerMode::TernarySignedAct: return "ternary-signedact";
    case LayerMode::TernaryHalfAct: return "ternary-halfact";
  }
  return "?";
}
LayerMode parseLayerMode(const std::string& s) { return parseByName(s, kModes, &layerModeName, "layer mode"); }

const char* opKindName(OpKind k) {
  switch (k) {
    case OpKind::Conv: return "conv";
    case OpKind::MaxPool: return "maxpool";
    case OpKind::Act: return "act";
    case OpKind::Flatten: return "flatten";
    case OpKind::Save: return "save";
    case OpKind::AddShortcutA: return "add_shortcut_a";
    case OpKind::ShortcutConv: return "shortcut_conv";
    case OpKind::Gap: return "gap";
  }
  return "?";
}
OpKind parseOpKind(const std::string& s) { return parseByName(s, kOps, &opKindName, "program op"); }

const char* actKindName(ActKind k) {
  switch (k) {
    case ActKind::None: return "none";
    case ActKind::Relu: return "relu";
    case ActKind::Rprelu: return "rprelu";
  }
  return "?";
}
ActKind parseActKind(const std::string& s) { return parseByName(s, kActs, &actKindName, "activation"); }

std::vector<LayerInput> validateProgram(const TnnModel& m) {
  auto fail = [](const std::string& where, const std::string& what) {
    throw std::invalid_argument(where + ": " + what);
  };
  if (m.inC <= 0 || m.inH <= 0 || m.inW <= 0 || m.classes <= 0 || m.inC > 4096 || m.inH > 4096 || m.inW > 4096)
    fail("input", "bad input geometry");
  const std::size_t L = m.layers.size();
  for (const auto& l : m.layers) {
    const std::string where = "layer " + l.name;
    if (l.inC <= 0 || l.outC <= 0 || l.kernel <= 0 || l.stride <= 0 || l.pad < 0 || l.inC > (1 << 24) ||
        l.outC > 4096 || l.kernel > 64 || l.stride > 64 || l.pad > 64)
      fail(where, "bad geometry");
    if (l.planes < 1 || l.planes > 8 || (!l.ternary() && l.planes != 1)) fail(where, "bad number of weight planes");
    if (l.ternary() && l.codes.size() != l.weightCount() * l.planes) fail(where, "wrong number of codes");
    if (!l.ternary() && l.weights.size() != l.weightCount()) fail(where, "wrong number of weights");
    for (auto c : l.codes)
      if (c < -1 || c > 1) fail(where, "a code is not in {-1, 0, 1}");
    if (l.scale.size() != static_cast<std::size_t>(l.outC) * l.planes || l.bias.size() != static_cast<std::size_t>(l.outC))
      fail(where, "scale/bias sizes do not match the output channels");
    for (const auto* v : {&l.preBias, &l.bnScale})
      if (!v->empty() && v->size() != static_cast<std::size_t>(l.outC))
        fail(where, std::string(v == &l.preBias ? "pre-BatchNorm bias" : "BatchNorm scale") +
                        " size does not match the output channels");
    // A diverged run's NaN would flow through every later layer: refused here, named.
    for (const auto* v : {&l.scale, &l.bias, &l.preBias, &l.bnScale, &l.weights})
      for (float x : *v)
        if (!std::isfinite(x))
          fail(where, std::string("a ") +
                          (v == &l.scale ? "scale" : v == &l.bias ? "bias" : v == &l.preBias ? "pre-BatchNorm bias"
                                                   : v == &l.bnScale ? "BatchNorm scale" : "weight") +
                          " is not a finite number");
    if ((l.mode == LayerMode::TernarySignedAct || l.mode == LayerMode::TernaryHalfAct) &&
        (std::isnan(l.thrNeg) || std::isnan(l.thrPos) || l.thrNeg > l.thrPos))
      fail(where, "activation thresholds must be ordered numbers");
  }
  for (const auto& r : m.rprelu) {
    if (r.slope.size() != r.shiftIn.size() || r.shiftOut.size() != r.shiftIn.size())
      fail("rprelu " + r.name, "parameter sizes differ");
    for (const auto* v : {&r.shiftIn, &r.slope, &r.shiftOut})
      for (float x : *v)
        if (!std::isfinite(x)) fail("rprelu " + r.name, "a parameter is not a finite number");
  }

  std::vector<LayerInput> inputs(L);
  std::vector<bool> used(L, false);
  struct Shape {
    int c, h, w;
  };
  Shape cur{m.inC, m.inH, m.inW};
  std::vector<Shape> stack;
  // Every map an image passes through must fit a buffer the engine can allocate (also bounds c·h·w,
  // which the layers multiply in int).
  auto checkSize = [&](const std::string& where, Shape x) {
    if (static_cast<long long>(x.c) * x.h * x.w > kMaxMapElements)
      fail(where, "a " + std::to_string(x.c) + "x" + std::to_string(x.h) + "x" + std::to_string(x.w) +
                      " map is larger than the " + std::to_string(kMaxMapElements) + " values an engine map may hold");
  };
  checkSize("input", cur);
  auto layerOn = [&](const std::string& where, int index, Shape x) -> Shape {
    if (index < 0 || static_cast<std::size_t>(index) >= L) fail(where, "refers to layer " + std::to_string(index) + ", which does not exist");
    if (used[index]) fail(where, "layer " + m.layers[index].name + " is used twice");
    used[index] = true;
    const auto& l = m.layers[index];
    inputs[index] = {x.c, x.h, x.w};
    if (l.kind == nn::LayerKind::Linear) {
      if (static_cast<long long>(l.inC) != static_cast<long long>(x.c) * x.h * x.w)
        fail(where, "linear layer " + l.name + " expects " + std::to_string(l.inC) + " features, gets " +
                        std::to_string(x.c * x.h * x.w));
      if (x.h != x.w) fail(where, "linear layer " + l.name + " needs a square input map");
      return {l.outC, 1, 1};
    }
    if (l.inC != x.c)
      fail(where, "layer " + l.name + " expects " + std::to_string(l.inC) + " input channels, gets " + std::to_string(x.c));
    const int oh = (x.h + 2 * l.pad - l.kernel) / l.stride + 1, ow = (x.w + 2 * l.pad - l.kernel) / l.stride + 1;
    if (x.h + 2 * l.pad < l.kernel || x.w + 2 * l.pad < l.kernel || oh <= 0 || ow <= 0)
      fail(where, "layer " + l.name + ": input " + std::to_string(x.h) + "x" + std::to_string(x.w) + " is too small");
    return {l.outC, oh, ow};
  };
  auto checkAct = [&](const std::string& where, const TnnOp& o, int channels) {
    if (o.act != ActKind::Rprelu) return;
    if (o.actIndex < 0 || static_cast<std::size_t>(o.actIndex) >= m.rprelu.size()) fail(where, "RPReLU index out of range");
    if (m.rprelu[o.actIndex].shiftIn.size() != static_cast<std::size_t>(channels))
      fail(where, "RPReLU " + m.rprelu[o.actIndex].name + " has " + std::to_string(m.rprelu[o.actIndex].shiftIn.size()) +
                      " channels, the tensor " + std::to_string(channels));
  };
  for (std::size_t i = 0; i < m.program.size(); ++i) {
    const auto& o = m.program[i];
    const std::string where = stepName(i, o);
    checkSize(where, cur);
    switch (o.op) {
      case OpKind::Conv:
        cur = layerOn(where, o.layer, cur);
        checkAct(where, o, cur.c);
        break;
      case OpKind::Act: checkAct(where, o, cur.c); break;
      case OpKind::MaxPool:
        if (o.k < 1 || cur.h / o.k < 1 || cur.w / o.k < 1) fail(where, "pool size does not fit the map");
        cur.h /= o.k, cur.w /= o.k;
        break;
      case OpKind::Flatten: break;  // shape kept: a linear layer reads the (c, h, w) map as c·h·w features
      case OpKind::Gap: cur.h = cur.w = 1; break;
      case OpKind::Save: stack.push_back(cur); break;
      case OpKind::AddShortcutA: {
        if (stack.empty()) fail(where, "nothing saved");
        const Shape s = stack.back();
        stack.pop_back();
        if (o.stride < 1 || o.padLo < 0 || o.padHi < 0 || s.c + o.padLo + o.padHi != cur.c ||
            (s.h + o.stride - 1) / o.stride != cur.h || (s.w + o.stride - 1) / o.stride != cur.w)
          fail(where, "shortcut shape does not match");
        break;
      }
      case OpKind::ShortcutConv: {
        if (stack.empty()) fail(where, "nothing saved");
        stack.back() = layerOn(where, o.layer, stack.back());
        break;
      }
    }
  }
  checkSize("program", cur);
  if (cur.c != m.classes || cur.h != 1 || cur.w != 1)
    fail("program", "does not end in " + std::to_string(m.classes) + " logits");
  for (std::size_t i = 0; i < L; ++i)
    if (!used[i]) fail("layer " + m.layers[i].name, "is not used by the program");
  return inputs;
}

}  // namespace ternlab::engine
