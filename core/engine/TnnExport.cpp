#include "engine/TnnExport.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <filesystem>
#include <stdexcept>

#include "config/SchemeCatalog.h"
#include "engine/ArchProgram.h"
#include "engine/TnnFile.h"
#include "nn/QuantConv2d.h"
#include "nn/QuantLinear.h"
#include "nn/RPReLU.h"
#include "nn/SyncBatchNorm.h"
#include "quant/WeightPlanes.h"
#include "report/RunModel.h"
#include "store/RunStore.h"

namespace ternlab::engine {

namespace {

std::vector<float> floats(const at::Tensor& t) {
  const auto c = t.detach().to(torch::kFloat32).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// The BatchNorm module `name` of the net (null for an empty name: the layer has none).
const nn::BatchNormImpl* batchNorm(nn::TernaryNet& net, const std::string& name) {
  if (name.empty()) return nullptr;
  for (const auto& item : net.named_modules()) {
    if (item.key() != name) continue;
    if (const auto* b = dynamic_cast<const nn::BatchNormImpl*>(item.value().get())) return b;
    throw std::invalid_argument("module " + name + " is not a BatchNorm");
  }
  throw std::invalid_argument("BatchNorm " + name + " not found in " + net.arch());
}

// The per-channel parameters of the RPReLU module `name` (ReActNet eq. 3).
TnnRprelu rpreluParams(nn::TernaryNet& net, const std::string& name) {
  for (const auto& item : net.named_modules()) {
    if (item.key() != name) continue;
    auto* r = dynamic_cast<nn::RPReLUImpl*>(item.value().get());
    if (!r) break;
    return {name, floats(r->shiftIn), floats(r->slope), floats(r->shiftOut)};
  }
  throw std::invalid_argument("RPReLU module " + name + " not found in " + net.arch());
}

// Floats in their numeric order as integers (so that bisection can walk every float between two others).
std::int64_t orderedBits(float f) {
  std::int32_t i;
  std::memcpy(&i, &f, sizeof i);
  return i >= 0 ? static_cast<std::int64_t>(i) : -static_cast<std::int64_t>(i & 0x7fffffff);
}
float fromOrdered(std::int64_t o) {
  const std::int32_t i = o >= 0 ? static_cast<std::int32_t>(o) : static_cast<std::int32_t>((-o) | 0x80000000);
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}

// The values bisection walks: wide enough for any activation, short of the overflows of ±FLT_MAX.
constexpr float kProbeRange = 1e30f;

// Smallest float x in [−kProbeRange, kProbeRange] with pred(x) true, for a predicate monotone in x
// (false … false true … true); kProbeRange when none.
template <class Pred>
float firstFloatWhere(Pred pred) {
  std::int64_t lo = orderedBits(-kProbeRange), hi = orderedBits(kProbeRange);
  if (pred(fromOrdered(lo))) return fromOrdered(lo);
  while (hi - lo > 1) {  // invariant: pred(lo) false, pred(hi) true
    const std::int64_t mid = lo + (hi - lo) / 2;
    (pred(fromOrdered(mid)) ? hi : lo) = mid;
  }
  return fromOrdered(hi);
}

// The graph's code of a value is whatever the activation quantizer's eval forward makes of it (a division and
// a rounding for LSQ, eq. 9's γ·(x·k + shift) before asym's thresholds, ...). Every float operation in it is
// monotone, so each code boundary is "x ≥ some float", found here by bisection over the floats on the quantizer
// itself (an 8 × 8 map of the candidate, so its vectorised path decides as on a real map). The engine compares x
// with thrNeg / thrPos (x < thrNeg: lower code, x > thrPos: upper code) and so gets the graph's codes bit for bit.
// False, leaving the thresholds alone, when the decisions are not one function of the value (the map's codes
// differ, the quantizer's thresholds move with its input, or it refuses the probe).
bool exactThresholds(quant::TensorQuantizer& aq, bool halfAct, float& thrNeg, float& thrPos) {
  const auto thresholds = aq.lastThresholds();
  const auto scales = aq.lastScales();
  bool oneFunction = true;
  auto codeOf = [&](float x) {
    aq.forward(torch::full({1, 1, 8, 8}, x));
    const auto& c = aq.lastCodeValues();
    if (c.size() != 1 || c[0].numel() == 0) {
      oneFunction = false;
      return 0;
    }
    const auto lo = c[0].min().item<double>(), hi = c[0].max().item<double>();
    if (lo != hi) oneFunction = false;
    return static_cast<int>(std::lround(lo));
  };
  const int low = halfAct ? 0 : -1;  // the lowest code: {0, 1, 2} or {−1, 0, 1}
  float neg = 0, pos = 0;
  try {
    neg = firstFloatWhere([&](float x) { return codeOf(x) >= low + 1; });
    pos = std::nextafter(firstFloatWhere([&](float x) { return codeOf(x) >= low + 2; }), -kProbeRange);
  } catch (const std::exception&) {
    return false;
  }
  if (!oneFunction || aq.lastThresholds() != thresholds || aq.lastScales() != scales) return false;
  thrNeg = neg, thrPos = pos;
  return true;
}

}  // namespace

TnnModel buildTnn(nn::TernaryNet& net, const config::ExperimentConfig& cfg, const at::Tensor& sample) {
  torch::NoGradGuard noGrad;
  net.eval();
  net.forward(sample);
  const auto& act = cfg.quant.activations;
  const bool halfAct = config::halfRangeActivations(act);

  TnnModel m;
  m.inC = static_cast<int>(sample.size(1));
  m.inH = static_cast<int>(sample.size(2));
  m.inW = static_cast<int>(sample.size(3));
  for (auto* q : net.quantLayers()) {
    TnnLayer t;
    t.name = q->layerName();
    t.kind = q->kind();
    at::Tensor bias;
    if (auto* c = dynamic_cast<nn::QuantConv2dImpl*>(q)) {
      const auto& o = c->options();
      t.inC = static_cast<int>(o.in_), t.outC = static_cast<int>(o.out_), t.kernel = static_cast<int>(o.kernel_);
      t.stride = static_cast<int>(o.stride_), t.pad = static_cast<int>(o.padding_);
      bias = c->bias;
    } else if (auto* l = dynamic_cast<nn::QuantLinearImpl*>(q)) {
      t.outC = static_cast<int>(l->weight.size(0)), t.inC = static_cast<int>(l->weight.size(1));
      bias = l->bias;
    } else {
      throw std::invalid_argument("layer " + t.name + " is neither QuantConv2d nor QuantLinear");
    }
    const at::Tensor w = q->latentWeight().detach();
    std::vector<double> planeAlpha = {1.0};
    double actAlpha = 1.0;
    if (q->weightQuantizer()) {
      auto& wq = *q->weightQuantizer();
      const at::Tensor wqv = wq.forward(w).detach().to(torch::kFloat32);
      const auto planes = quant::weightPlanes(t.name, wq.scheme(), wqv, wq.lastCodes());
      t.planes = static_cast<int>(planes.codes.size());
      for (const auto& c : planes.codes) {
        const auto c8 = c.to(torch::kInt8).contiguous();
        t.codes.insert(t.codes.end(), c8.data_ptr<std::int8_t>(), c8.data_ptr<std::int8_t>() + c8.numel());
      }
      planeAlpha = planes.alpha;
      t.weightScale = planes.alpha[0];
      t.mode = LayerMode::TernaryInt8Act;
      if (const auto& aq = q->inputQuantizer()) {
        const auto thr = aq->lastThresholds();  // copies: exactThresholds' probes overwrite them
        const auto sc = aq->lastScales();
        if (thr.size() != 1 || thr[0].empty() || sc.size() != 1 || sc[0].size() != 1)
          throw std::invalid_argument("layer " + t.name + ": activation quantizer " + aq->scheme() +
                                      " does not report one threshold pair and one scale");
        double lo = *std::min_element(thr[0].begin(), thr[0].end());
        double hi = *std::max_element(thr[0].begin(), thr[0].end());
        if (thr[0].size() == 1 && !halfAct) lo = -std::fabs(hi), hi = std::fabs(hi);
        t.thrNeg = static_cast<float>(lo), t.thrPos = static_cast<float>(hi);
        exactThresholds(*aq, halfAct, t.thrNeg, t.thrPos);
        t.actScale = sc[0][0];
        actAlpha = t.actScale;
        t.mode = halfAct ? LayerMode::TernaryHalfAct : LayerMode::TernarySignedAct;
      }
    } else {
      t.weights = floats(w);
    }
    // The affine in the eval forward's order (nn::QuantLayer::evalForward, nn::BatchNorm): each plane's sums
    // times its planeScale, the layer's bias, then BatchNorm's x·scale + shift.
    t.scale.clear();
    for (double a : planeAlpha) t.scale.insert(t.scale.end(), t.outC, quant::planeScale(a, actAlpha));
    const auto convBias = bias.defined() ? floats(bias) : std::vector<float>(t.outC, 0.0f);
    if (const auto* bn = batchNorm(net, batchNormFor(net.arch(), t.name))) {
      const auto [bnScale, bnShift] = bn->evalAffine();
      t.bnScale = floats(bnScale), t.bias = floats(bnShift);
      if (bias.defined()) t.preBias = convBias;
    } else {
      t.bias = convBias;
    }
    m.layers.push_back(std::move(t));
  }
  m.classes = m.layers.back().outC;
  const ActKind nonlinearity = cfg.model.activation == "rprelu" ? ActKind::Rprelu : ActKind::Relu;
  auto program = programFor(net.arch(), m.layers, nonlinearity);
  m.program = std::move(program.ops);
  for (const auto& name : program.rpreluModules) m.rprelu.push_back(rpreluParams(net, name));
  m.info = {{"arch", net.arch()},
            {"config", cfg.json},
            {"activations", !act.enabled() ? "float (int8 per image at run time)" : (halfAct ? "half" : "signed")}};
  return m;
}

TnnModel buildRunTnn(std::int64_t runId, const std::string& dbPath) {
  auto run = report::loadRun(dbPath, runId);
  TnnModel m = buildTnn(*run.net, run.config, run.batch);
  std::string uuid;
  {
    store::RunStore db(dbPath);
    if (auto rec = db.run(run.stageId)) uuid = rec->uuid;
  }
  m.info["run_id"] = run.id;
  m.info["stage_id"] = run.stageId;
  m.info["uuid"] = uuid;
  m.info["db"] = std::filesystem::absolute(dbPath).string();
  m.info["checkpoint"] = run.checkpoint;
  m.info["dataset"] = run.config.data.name;
  m.info["dataset_path"] = run.config.data.path;
  m.info["train_limit"] = run.config.data.trainLimit;  // fixes the input normalisation
  m.info["input_mean"] = floats(run.mean);
  m.info["input_std"] = floats(run.std);
  m.info["dataset_options"] = {{"test_fraction", run.config.data.testFraction},
                               {"image_size", run.config.data.imageSize},
                               {"channels", run.config.data.channels}};
  m.info["exported_unix"] = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch()).count();
  return m;
}

data::OwnDataOptions datasetOptionsOf(const TnnModel& m) {
  data::OwnDataOptions o;
  const auto j = m.info.value("dataset_options", nlohmann::json::object());
  if (!j.is_object()) return o;
  o.testFraction = j.value("test_fraction", 0.0);
  o.imageSize = j.value("image_size", 0);
  o.channels = j.value("channels", 0);
  return o;
}

TnnExportResult exportTnn(std::int64_t runId, const std::string& dbPath, const std::string& outPath) {
  const TnnModel m = buildRunTnn(runId, dbPath);
  TnnExportResult r;
  r.runId = m.info.at("run_id").get<std::int64_t>();
  r.stageId = m.info.at("stage_id").get<std::int64_t>();
  r.path = outPath;
  r.bytes = writeTnn(m, outPath);
  r.layers = static_cast<int>(m.layers.size());
  for (const auto& l : m.layers) r.ternaryLayers += l.ternary() ? 1 : 0;
  r.activationMode = m.info.at("activations").get<std::string>();
  recordExportArtefact(dbPath, r.stageId, "tnn", outPath, r.bytes);
  return r;
}

void recordExportArtefact(const std::string& dbPath, std::int64_t stageId, const std::string& kind,
                          const std::string& path, std::size_t bytes) {
  store::RunStore db(dbPath);
  store::Artefact a;
  a.kind = kind;
  a.path = std::filesystem::absolute(path).string();
  a.bytes = static_cast<std::int64_t>(bytes);
  db.addArtefact(stageId, a);
}

}  // namespace ternlab::engine
