#pragma once
// A two-layer network (ternary 3x3 conv with ReLU, float linear) small enough to hand-check: the model
// the .tnn tests write, damage and read back.
#include "engine/TnnModel.h"

namespace ternlab::testsupport {

inline engine::TnnModel tinyModel() {
  engine::TnnModel m;
  m.inC = 2, m.inH = 4, m.inW = 4, m.classes = 3;
  engine::TnnLayer c;
  c.name = "conv";
  c.mode = engine::LayerMode::TernarySignedAct;
  c.inC = 2, c.outC = 4, c.kernel = 3, c.stride = 1, c.pad = 1;
  for (std::size_t i = 0; i < c.weightCount(); ++i) c.codes.push_back(static_cast<std::int8_t>(int(i * 7 % 3) - 1));
  c.scale = {0.5f, 0.25f, -1.0f, 2.0f};
  c.bias = {0.1f, -0.2f, 0.3f, 0.0f};
  c.thrNeg = -0.3f, c.thrPos = 0.4f;
  c.weightScale = 0.7, c.actScale = 1.3;
  engine::TnnLayer f;
  f.name = "fc";
  f.kind = nn::LayerKind::Linear;
  f.inC = 64, f.outC = 3;
  for (std::size_t i = 0; i < f.weightCount(); ++i) f.weights.push_back(0.01f * static_cast<float>(i % 17) - 0.05f);
  f.scale = {1, 1, 1};
  f.bias = {0.5f, -0.5f, 0.0f};
  m.layers = {c, f};
  engine::TnnOp a;
  a.op = engine::OpKind::Conv, a.layer = 0, a.act = engine::ActKind::Relu;
  engine::TnnOp fl;
  fl.op = engine::OpKind::Flatten;
  engine::TnnOp b;
  b.op = engine::OpKind::Conv, b.layer = 1;
  m.program = {a, fl, b};
  m.info = {{"run_id", 7}, {"uuid", "abc"}};
  return m;
}

}  // namespace ternlab::testsupport
