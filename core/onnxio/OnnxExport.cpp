#include "onnxio/OnnxExport.h"

#include <onnx/checker.h>

#include <limits>
#include <stdexcept>

#include "Version.h"
#include "onnxio/OnnxGraph.h"

namespace ternlab::onnxio {

using engine::ActKind;
using engine::LayerMode;
using engine::OpKind;
using engine::TnnLayer;
using engine::TnnModel;

namespace {

// The value flowing through the program and its rank (4: N C H W, 2: N F).
struct Value {
  std::string name;
  int rank = 4;
};

// Lowers the engine's program op by op, with the engine's arithmetic in the same order (kernels/BitConv.h):
//   codes:  x < thrNeg → −1, x > thrPos → +1, else 0 ({0,1,2} schemes: the same plus one)
//   int8:   s = max|x| / 127 per image (1 for an all-zero image), q = clip(round(x · (1/s)), ±127)
//           (only with OnnxExportOptions::int8Activations; otherwise FP activations stay fp32, as in the graph)
//   layer:  v = Σ_p (scale_p [· s]) · conv(q, codes_p) + bias, then the op's activation
// Codes are exact small integers in fp32, so conv(q, codes) is the engine's integer sum wherever the sum stays
// below 2^24 (every zoo layer). The ternary weights are int8 initializers behind DequantizeLinear (scale 1,
// zero point 0); their folded per-channel scales follow the convolution.
class Lowering {
 public:
  Lowering(const TnnModel& m, OnnxGraph& g, bool int8Activations) : m_(m), g_(g), int8_(int8Activations) {}

  Value layer(const TnnLayer& l, Value x) {
    const bool linear = l.kind == nn::LayerKind::Linear;
    if (linear && x.rank != 2) x = {g_.node("Flatten", {x.name}, l.name + ".flatten", {OnnxAttr::of("axis", 1)}), 2};
    if (!linear && x.rank != 4) throw std::invalid_argument("layer " + l.name + ": a convolution after a flatten");
    const std::vector<std::int64_t> channelDims =
        linear ? std::vector<std::int64_t>{l.outC} : std::vector<std::int64_t>{l.outC, 1, 1};
    std::string in = x.name, perImage;
    switch (l.mode) {
      case LayerMode::Float: break;
      case LayerMode::TernarySignedAct: in = codes(l, in, false); break;
      case LayerMode::TernaryHalfAct: in = codes(l, in, true); break;
      case LayerMode::TernaryInt8Act: {
        if (!int8_) break;
        const auto q = int8(l, in, x.rank);
        in = q.first, perImage = q.second;
        break;
      }
    }
    std::vector<std::string> weights;
    if (l.mode == LayerMode::Float) {
      weights.push_back(g_.floats(l.name + ".weight", weightDims(l), l.weights));
    } else {
      const auto per = l.weightCount();
      for (int p = 0; p < l.planes; ++p) {
        const auto hint = l.name + ".codes" + (l.planes > 1 ? "_p" + std::to_string(p) : "");
        const auto c = g_.int8s(hint, weightDims(l), l.codes.data() + p * per);
        weights.push_back(g_.node("DequantizeLinear", {c, one(), zeroPoint()}, hint + ".dq"));
      }
    }
    std::string v;
    for (int p = 0; p < static_cast<int>(weights.size()); ++p) {
      const auto acc = linear ? g_.node("Gemm", {in, weights[p]}, l.name + ".acc", {OnnxAttr::of("transB", 1)})
                              : g_.node("Conv", {in, weights[p]}, l.name + ".acc",
                                        {OnnxAttr::list("kernel_shape", {l.kernel, l.kernel}),
                                         OnnxAttr::list("strides", {l.stride, l.stride}),
                                         OnnxAttr::list("pads", {l.pad, l.pad, l.pad, l.pad})});
      auto scale = g_.floats(l.name + ".scale" + (l.planes > 1 ? "_p" + std::to_string(p) : ""), channelDims,
                             l.scale.data() + static_cast<std::size_t>(p) * l.outC);
      if (!perImage.empty()) scale = g_.node("Mul", {scale, perImage}, l.name + ".scale_x_image");
      const auto term = g_.node("Mul", {scale, acc}, l.name + ".scaled");
      v = v.empty() ? term : g_.node("Add", {v, term}, l.name + ".planes");
    }
    if (!l.preBias.empty()) v = g_.node("Add", {v, g_.floats(l.name + ".pre_bias", channelDims, l.preBias)}, l.name + ".biased");
    if (!l.bnScale.empty()) v = g_.node("Mul", {v, g_.floats(l.name + ".bn_scale", channelDims, l.bnScale)}, l.name + ".bn");
    return {g_.node("Add", {v, g_.floats(l.name + ".bias", channelDims, l.bias)}, l.name + ".out"), linear ? 2 : 4};
  }

  Value activation(ActKind kind, int index, Value x) {
    switch (kind) {
      case ActKind::None: return x;
      case ActKind::Relu: return {g_.node("Relu", {x.name}, "relu"), x.rank};
      case ActKind::Rprelu: {
        // ReActNet eq. 3: u = x − γ_c; (u > 0 ? u : β_c·u) + ζ_c. PRelu gives u for u ≥ 0 (equal at u = 0).
        const auto& r = m_.rprelu.at(static_cast<std::size_t>(index));
        const std::vector<std::int64_t> dims =
            x.rank == 4 ? std::vector<std::int64_t>{static_cast<std::int64_t>(r.slope.size()), 1, 1}
                        : std::vector<std::int64_t>{static_cast<std::int64_t>(r.slope.size())};
        const auto u = g_.node("Sub", {x.name, g_.floats(r.name + ".shift_in", dims, r.shiftIn)}, r.name + ".u");
        const auto p = g_.node("PRelu", {u, g_.floats(r.name + ".slope", dims, r.slope)}, r.name + ".prelu");
        return {g_.node("Add", {p, g_.floats(r.name + ".shift_out", dims, r.shiftOut)}, r.name), x.rank};
      }
    }
    return x;
  }

  // ResNet option A: the saved map subsampled by `stride`, zero channels padLo before and padHi after.
  std::string shortcutA(const std::string& saved, int stride, int padLo, int padHi) {
    std::string s = saved;
    if (stride > 1) {
      const auto big = std::numeric_limits<std::int64_t>::max();
      s = g_.node("Slice", {s, g_.int64s("zero2", {0, 0}), g_.int64s("end2", {big, big}), g_.int64s("axes_hw", {2, 3}),
                            g_.int64s("stride" + std::to_string(stride), {stride, stride})},
                  "shortcut.sub");
    }
    if (padLo || padHi)
      s = g_.node("Pad", {s, g_.int64s("pads", {0, padLo, 0, 0, 0, padHi, 0, 0})}, "shortcut.pad");
    return s;
  }

 private:
  static std::vector<std::int64_t> weightDims(const TnnLayer& l) {
    if (l.kind == nn::LayerKind::Linear) return {l.outC, l.inC};
    return {l.outC, l.inC, l.kernel, l.kernel};
  }
  std::string one() {
    if (one_.empty()) one_ = g_.scalar("one", 1.0f);
    return one_;
  }
  std::string zeroPoint() {
    if (zero8_.empty()) {
      const std::int8_t z = 0;
      zero8_ = g_.int8s("zero_point", {}, &z);
    }
    return zero8_;
  }

  // The layer's input codes as floats: Greater − Less (+1 for {0,1,2} codes).
  std::string codes(const TnnLayer& l, const std::string& x, bool half) {
    const auto gt = g_.node("Cast", {g_.node("Greater", {x, g_.scalar(l.name + ".thr_pos", l.thrPos)}, l.name + ".gt")},
                            l.name + ".gtf", {OnnxAttr::of("to", onnx::TensorProto::FLOAT)});
    const auto lt = g_.node("Cast", {g_.node("Less", {x, g_.scalar(l.name + ".thr_neg", l.thrNeg)}, l.name + ".lt")},
                            l.name + ".ltf", {OnnxAttr::of("to", onnx::TensorProto::FLOAT)});
    const auto c = g_.node("Sub", {gt, lt}, l.name + ".codes_in");
    return half ? g_.node("Add", {c, one()}, l.name + ".codes_in_012") : c;
  }

  // Per-image symmetric int8 codes of x and the per-image scale s (shape N x 1 [x 1 x 1]).
  std::pair<std::string, std::string> int8(const TnnLayer& l, const std::string& x, int rank) {
    const std::vector<std::int64_t> axes = rank == 4 ? std::vector<std::int64_t>{1, 2, 3} : std::vector<std::int64_t>{1};
    const auto mx = g_.node("ReduceMax", {g_.node("Abs", {x}, l.name + ".abs")}, l.name + ".max",
                            {OnnxAttr::list("axes", axes), OnnxAttr::of("keepdims", 1)});
    const auto zero = g_.scalar("zero", 0.0f);
    const auto s = g_.node("Where", {g_.node("Greater", {mx, zero}, l.name + ".nonzero"),
                                     g_.node("Div", {mx, g_.scalar("int8_max", 127.0f)}, l.name + ".max_127"), one()},
                           l.name + ".image_scale");
    const auto inv = g_.node("Div", {one(), s}, l.name + ".inv_scale");
    const auto r = g_.node("Round", {g_.node("Mul", {x, inv}, l.name + ".x_inv")}, l.name + ".round");
    const auto q = g_.node("Clip", {r, g_.scalar("minus127", -127.0f), g_.scalar("plus127", 127.0f)}, l.name + ".q");
    return {q, s};
  }

  const TnnModel& m_;
  OnnxGraph& g_;
  bool int8_;
  std::string one_, zero8_;
};

}  // namespace

std::string onnxModelBytes(const TnnModel& m, const OnnxExportOptions& o) {
  engine::validateProgram(m);
  onnx::ModelProto model;
  model.set_ir_version(7);  // the IR of opset 13
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(o.opset);
  model.set_producer_name("TernLab");
  model.set_producer_version(kVersion);
  model.set_doc_string("A ternary network exported by TernLab: int8 weight codes behind DequantizeLinear, activation "
                       "codes by threshold comparison, BatchNorm folded into per-channel scales.");
  auto* graph = model.mutable_graph();
  graph->set_name(m.info.value("arch", std::string("network")));
  OnnxGraph g(*graph);

  const bool normalise = !o.mean.empty();
  if (normalise && (o.mean.size() != static_cast<std::size_t>(m.inC) || o.std.size() != o.mean.size()))
    throw std::invalid_argument("input normalisation: " + std::to_string(o.mean.size()) + " means and " +
                                std::to_string(o.std.size()) + " deviations for " + std::to_string(m.inC) + " channels");
  const std::string inputName = normalise ? "pixels" : "input";
  g.input(inputName, {m.inC, m.inH, m.inW});
  Value cur{inputName, 4};
  if (normalise) {  // as the dataset loader: (x − mean) / std per channel
    const std::vector<std::int64_t> dims{m.inC, 1, 1};
    cur.name = g.node("Div", {g.node("Sub", {cur.name, g.floats("input.mean", dims, o.mean)}, "centred"),
                              g.floats("input.std", dims, o.std)},
                      "normalised");
  }
  Lowering low(m, g, o.int8Activations);
  std::vector<std::string> saved;
  for (const auto& op : m.program) {
    switch (op.op) {
      case OpKind::Conv: cur = low.activation(op.act, op.actIndex, low.layer(m.layers.at(op.layer), cur)); break;
      case OpKind::Act: cur = low.activation(op.act, op.actIndex, cur); break;
      case OpKind::MaxPool:
        cur.name = g.node("MaxPool", {cur.name}, "maxpool",
                          {OnnxAttr::list("kernel_shape", {op.k, op.k}), OnnxAttr::list("strides", {op.k, op.k})});
        break;
      case OpKind::Flatten: cur = {g.node("Flatten", {cur.name}, "flatten", {OnnxAttr::of("axis", 1)}), 2}; break;
      case OpKind::Save: saved.push_back(cur.name); break;
      case OpKind::AddShortcutA: {
        const auto s = low.shortcutA(saved.back(), op.stride, op.padLo, op.padHi);
        saved.pop_back();
        cur.name = g.node("Add", {cur.name, s}, "residual");
        break;
      }
      case OpKind::ShortcutConv: saved.back() = low.layer(m.layers.at(op.layer), {saved.back(), 4}).name; break;
      case OpKind::Gap: cur.name = g.node("GlobalAveragePool", {cur.name}, "gap"); break;
    }
  }
  if (cur.rank != 2) cur = {g.node("Flatten", {cur.name}, "flatten", {OnnxAttr::of("axis", 1)}), 2};
  g.node("Identity", {cur.name}, "logits");
  g.output("logits", {m.classes});

  for (const auto& [key, value] : m.info.items()) {
    if (key == "config") continue;  // the experiment, below, as the file's JSON
    auto* p = model.add_metadata_props();
    p->set_key("ternlab." + key);
    p->set_value(value.is_string() ? value.get<std::string>() : value.dump());
  }
  if (m.info.contains("config")) {
    auto* p = model.add_metadata_props();
    p->set_key("ternlab.experiment");
    p->set_value(m.info["config"].dump());
  }
  auto* in = model.add_metadata_props();
  in->set_key("ternlab.input");
  in->set_value(normalise ? "pixels: N x C x H x W float32 images scaled to [0, 1] (normalised inside the graph)"
                          : "input: N x C x H x W float32 images normalised as in training");
  auto* act = model.add_metadata_props();
  act->set_key("ternlab.fp_activation_path");
  act->set_value(o.int8Activations ? "int8 per image" : "fp32");
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("the ONNX checker refused the exported graph: ") + e.what());
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw std::runtime_error("ONNX model could not be serialised");
  return bytes;
}

}  // namespace ternlab::onnxio
