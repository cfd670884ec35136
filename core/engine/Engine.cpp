#include "engine/Engine.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <stdexcept>

namespace ternlab::engine {

namespace {

void maxPool(const FeatureMap& x, int k, FeatureMap& y) {
  y.reset(x.n, x.c, x.h / k, x.w / k);
  for (int nc = 0; nc < x.n * x.c; ++nc) {
    const float* in = x.data.data() + static_cast<std::size_t>(nc) * x.plane();
    float* out = y.data.data() + static_cast<std::size_t>(nc) * y.plane();
    for (int oy = 0; oy < y.h; ++oy)
      for (int ox = 0; ox < y.w; ++ox) {
        float m = in[(oy * k) * x.w + ox * k];
        for (int dy = 0; dy < k; ++dy)
          for (int dx = 0; dx < k; ++dx) m = std::max(m, in[(oy * k + dy) * x.w + ox * k + dx]);
        out[oy * y.w + ox] = m;
      }
  }
}

// ResNet option-A shortcut: y += pad_channels(subsample(s, stride)).
void addShortcutA(const FeatureMap& s, const TnnOp& op, FeatureMap& y) {
  if (s.n != y.n || s.c + op.padLo + op.padHi != y.c || (s.h + op.stride - 1) / op.stride != y.h ||
      (s.w + op.stride - 1) / op.stride != y.w)
    throw std::invalid_argument("add_shortcut_a: shapes do not match");
  for (int b = 0; b < y.n; ++b)
    for (int c = 0; c < s.c; ++c) {
      const float* in = s.data.data() + (static_cast<std::size_t>(b) * s.c + c) * s.plane();
      float* out = y.data.data() + (static_cast<std::size_t>(b) * y.c + c + op.padLo) * y.plane();
      for (int oy = 0; oy < y.h; ++oy)
        for (int ox = 0; ox < y.w; ++ox) out[oy * y.w + ox] += in[(oy * op.stride) * s.w + ox * op.stride];
    }
}

void globalAvgPool(const FeatureMap& x, FeatureMap& y) {
  y.reset(x.n, x.c, 1, 1);
  const std::size_t hw = x.plane();
  for (int nc = 0; nc < x.n * x.c; ++nc) {
    double s = 0;
    for (std::size_t p = 0; p < hw; ++p) s += x.data[static_cast<std::size_t>(nc) * hw + p];
    y.data[nc] = static_cast<float>(s / static_cast<double>(hw));
  }
}

}  // namespace

bool Engine::fusable(const TnnOp& a, const TnnOp& b) const {
  if (a.op != "conv" || b.op != "conv" || !a.relu) return false;
  const auto& la = model_.layers[a.layer];
  const auto& lb = model_.layers[b.layer];
  return la.mode == LayerMode::TernarySignedAct && lb.mode == LayerMode::TernarySignedAct && lb.kind == "conv" &&
         la.kind == "conv" && lb.thrPos >= 0 && lb.inC == la.outC;
}

Engine::Engine(TnnModel model) : model_(std::move(model)) {
  // Walk the program once to learn each layer's input size and pack its weights.
  layers_.resize(model_.layers.size());
  int c = model_.inC, h = model_.inH, w = model_.inW;
  std::vector<std::array<int, 3>> saved;
  for (const auto& op : model_.program) {
    if (op.op == "conv") {
      const auto& l = model_.layers.at(op.layer);
      if (l.inC != c) {
        if (l.kind == "linear" && l.inC == c * h * w)
          c = c * h * w, h = w = 1;
        else
          throw std::invalid_argument("layer " + l.name + " expects " + std::to_string(l.inC) + " input channels, gets " +
                                      std::to_string(c));
      }
      if (layers_[op.layer]) throw std::invalid_argument("layer " + l.name + " is used twice by the program");
      layers_[op.layer] = std::make_unique<EngineLayer>(l, h, w);
      c = l.outC, h = layers_[op.layer]->outH(), w = layers_[op.layer]->outW();
    } else if (op.op == "maxpool") {
      h /= op.k, w /= op.k;
    } else if (op.op == "flatten") {
      c = c * h * w, h = w = 1;
    } else if (op.op == "gap") {
      h = w = 1;
    } else if (op.op == "save") {
      saved.push_back({c, h, w});
    } else if (op.op == "add_shortcut_a") {
      if (saved.empty()) throw std::invalid_argument("add_shortcut_a without save");
      saved.pop_back();
    } else if (op.op != "relu") {
      throw std::invalid_argument("unknown program op '" + op.op + "'");
    }
  }
  if (c != model_.classes || h != 1 || w != 1)
    throw std::invalid_argument("the program does not end in " + std::to_string(model_.classes) + " logits");
}

std::vector<float> Engine::run(const float* images, int n, const EngineOptions& o) {
  FeatureMap cur, next;
  cur.reset(n, model_.inC, model_.inH, model_.inW);
  std::copy(images, images + cur.data.size(), cur.data.begin());
  std::vector<FeatureMap> saved;
  acc_.clear();
  if (o.profile && profile_.size() != model_.program.size()) {
    profile_.clear();
    for (const auto& op : model_.program)
      profile_.emplace_back(op.op == "conv" ? model_.layers[op.layer].name : op.op, 0.0);
  }
  for (std::size_t step = 0; step < model_.program.size(); ++step) {
    const auto& op = model_.program[step];
    const auto t0 = std::chrono::steady_clock::now();
    if (op.op == "conv" && o.fusePairs && !o.captureAccumulators && step + 1 < model_.program.size() &&
        fusable(op, model_.program[step + 1])) {
      // conv (signed ternary act) -> ReLU -> conv (signed ternary act): the first writes the second's codes
      // straight from its epilogue (ReLU folded into the thresholds), no float map in between.
      const auto& nextOp = model_.program[step + 1];
      const auto& nl = model_.layers[nextOp.layer];
      const kernels::QuantThresholds thr{nl.thrNeg < 0 ? -std::numeric_limits<float>::max() : nl.thrNeg, nl.thrPos};
      kernels::PackedFeatureMap packed;
      layers_[op.layer]->forwardToPacked(cur, thr, packed, o.threads);
      layers_[nextOp.layer]->forwardFromPacked(packed, next, nextOp.relu, o.threads);
      std::swap(cur, next);
      if (o.profile)
        profile_[step].second += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      ++step;  // the second conv is done
      continue;
    }
    if (op.op == "conv") {
      if (cur.c != model_.layers[op.layer].inC) cur.c = cur.c * cur.h * cur.w, cur.h = cur.w = 1;  // implicit flatten
      std::vector<std::int32_t>* acc = nullptr;
      if (o.captureAccumulators && model_.layers[op.layer].ternary() &&
          model_.layers[op.layer].mode != LayerMode::TernaryInt8Act)
        acc = &acc_[op.layer];
      layers_[op.layer]->forward(cur, next, op.relu, o, acc);
      std::swap(cur, next);
    } else if (op.op == "maxpool") {
      maxPool(cur, op.k, next);
      std::swap(cur, next);
    } else if (op.op == "relu") {
      for (auto& v : cur.data) v = v < 0 ? 0 : v;
    } else if (op.op == "flatten") {
      cur.c = cur.c * cur.h * cur.w, cur.h = cur.w = 1;
    } else if (op.op == "gap") {
      globalAvgPool(cur, next);
      std::swap(cur, next);
    } else if (op.op == "save") {
      saved.push_back(cur);
    } else if (op.op == "add_shortcut_a") {
      addShortcutA(saved.back(), op, cur);
      saved.pop_back();
    }
    if (o.profile)
      profile_[step].second += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  return std::move(cur.data);
}

std::vector<int> Engine::predict(const float* images, int n, const EngineOptions& o) {
  const auto logits = run(images, n, o);
  std::vector<int> out(n);
  const int k = model_.classes;
  for (int i = 0; i < n; ++i)
    out[i] = static_cast<int>(std::max_element(logits.begin() + i * k, logits.begin() + (i + 1) * k) -
                              (logits.begin() + i * k));
  return out;
}

}  // namespace ternlab::engine
