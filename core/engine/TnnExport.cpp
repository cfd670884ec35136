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
#include "engine/BnFold.h"
#include "engine/TnnFile.h"
#include "nn/QuantConv2d.h"
#include "nn/QuantLinear.h"
#include "nn/RPReLU.h"
#include "nn/SyncBatchNorm.h"
#include "quant/AsymQuantizer.h"
#include "quant/UniformNormalizer.h"
#include "report/RunModel.h"
#include "store/RunStore.h"

namespace ternlab::engine {

namespace {

std::vector<float> floats(const at::Tensor& t) {
  const auto c = t.detach().to(torch::kFloat32).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

BnParams batchNorm(nn::TernaryNet& net, const std::string& name) {
  BnParams bn;
  if (name.empty()) return bn;
  for (const auto& item : net.named_modules()) {
    if (item.key() != name) continue;
    const auto& m = item.value();
    if (auto* b = dynamic_cast<nn::BatchNormImpl*>(m.get())) {
      bn.gamma = floats(b->weight), bn.beta = floats(b->bias);
      bn.mean = floats(b->running_mean), bn.var = floats(b->running_var), bn.eps = b->eps;
    } else {
      throw std::invalid_argument("module " + name + " is not a BatchNorm");
    }
    return bn;
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

// W_q as a sum of code planes times one scale each, found by least squares and checked to be exact:
//   one code tensor:  W_q = α·c (TWN, ICS, asym, LSQ, FATNN, ...), else W_q = α_p·[c > 0] − α_n·[c < 0] (TTQ);
//   T code tensors:   W_q = Σ_t α_t·c_t (REL, one plane per branch, summed in the epilogue).
struct WeightPlanes {
  std::vector<at::Tensor> codes;  // float, each in {-1, 0, 1}
  std::vector<double> alpha;
};

// Solves the normal equations of min ||wq − Σ α_t c_t||; planes without a nonzero code get α = 0.
std::vector<double> leastSquares(const at::Tensor& wq, const std::vector<at::Tensor>& c) {
  const std::size_t T = c.size();
  std::vector<std::vector<double>> G(T, std::vector<double>(T + 1, 0.0));
  for (std::size_t i = 0; i < T; ++i) {
    for (std::size_t j = 0; j < T; ++j) G[i][j] = (c[i] * c[j]).sum().item<double>();
    G[i][T] = (c[i] * wq).sum().item<double>();
    if (G[i][i] == 0) G[i][i] = 1;  // an all-zero plane: α = 0
  }
  for (std::size_t k = 0; k < T; ++k) {  // Gauss-Jordan with partial pivoting (T is at most a few)
    std::size_t piv = k;
    for (std::size_t r = k + 1; r < T; ++r)
      if (std::fabs(G[r][k]) > std::fabs(G[piv][k])) piv = r;
    std::swap(G[k], G[piv]);
    if (std::fabs(G[k][k]) < 1e-12) continue;
    for (std::size_t r = 0; r < T; ++r) {
      if (r == k) continue;
      const double f = G[r][k] / G[k][k];
      for (std::size_t q = k; q <= T; ++q) G[r][q] -= f * G[k][q];
    }
  }
  std::vector<double> a(T);
  for (std::size_t k = 0; k < T; ++k) a[k] = std::fabs(G[k][k]) < 1e-12 ? 0.0 : G[k][T] / G[k][k];
  return a;
}

bool exactSum(const at::Tensor& wq, const WeightPlanes& p) {
  at::Tensor r = wq.clone();
  for (std::size_t t = 0; t < p.codes.size(); ++t) r -= p.alpha[t] * p.codes[t];
  const double ref = std::max(wq.abs().max().item<double>(), 1e-20);
  return r.abs().max().item<double>() <= 1e-4 * ref;
}

WeightPlanes weightPlanes(const std::string& layer, const std::string& scheme, const at::Tensor& wq,
                          const std::vector<at::Tensor>& codes) {
  WeightPlanes p;
  for (const auto& c8 : codes) {
    const auto c = c8.to(torch::kFloat32);
    if (c.abs().gt(1).any().item<bool>() || (c - c.round()).abs().gt(0).any().item<bool>())
      throw std::invalid_argument("layer " + layer + ": weight codes are not in {-1,0,1}");
    p.codes.push_back(c);
  }
  p.alpha = leastSquares(wq, p.codes);
  if (exactSum(wq, p)) return p;
  if (codes.size() == 1) {  // two scales: positive and negative parts as separate planes
    const auto& c = p.codes[0];
    WeightPlanes two;
    two.codes = {c.gt(0).to(torch::kFloat32), -c.lt(0).to(torch::kFloat32)};
    two.alpha = leastSquares(wq, two.codes);
    if (exactSum(wq, two)) return two;
  }
  throw std::invalid_argument("layer " + layer + " (" + scheme + "): weights are not a sum of ternary code planes " +
                              "times one scale each, which the engine needs");
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

// Smallest float x with pred(x) true, for a predicate monotone in x (false … false true … true).
template <class Pred>
float firstFloatWhere(Pred pred) {
  std::int64_t lo = orderedBits(-std::numeric_limits<float>::max()), hi = orderedBits(std::numeric_limits<float>::max());
  if (pred(fromOrdered(lo))) return fromOrdered(lo);
  while (hi - lo > 1) {  // invariant: pred(lo) false, pred(hi) true
    const std::int64_t mid = lo + (hi - lo) / 2;
    (pred(fromOrdered(mid)) ? hi : lo) = mid;
  }
  return fromOrdered(hi);
}

// Eq. 9 in front of asym activations: the graph compares z = γ·(x·k + shift), computed in float32 as the
// forward does, with the inner thresholds; the engine compares x itself (x < thrNeg: lower code, x > thrPos:
// upper code). Because every float operation is monotone, each graph comparison is exactly x ≥ / > some float,
// found here by bisection: γ, k and shift cost nothing at inference and the codes are bit-identical.
bool exactUniformThresholds(const quant::TensorQuantizer& aq, bool halfAct, float& thrNeg, float& thrPos) {
  const auto* u = dynamic_cast<const quant::UniformNormalizer*>(&aq);
  if (!u || !dynamic_cast<const quant::AsymQuantizer*>(u->inner().get())) return false;
  const auto& inner = u->inner()->lastThresholds();
  const float g = static_cast<float>(u->gamma().item<double>()), k = static_cast<float>(u->normScale()),
              sh = static_cast<float>(u->normShift());
  if (inner.size() != 1 || inner[0].size() != 2 || !(g > 0) || !(k > 0)) return false;
  auto z = [g, k, sh](float x) {
    volatile float a = x * k;  // one rounding per operation, as the tensor ops (no fused multiply-add)
    volatile float b = a + sh;
    return static_cast<float>(g * b);
  };
  const float t1 = static_cast<float>(inner[0][0]), t2 = static_cast<float>(inner[0][1]);
  if (halfAct) {  // codes (z ≥ t1) + (z ≥ t2)
    thrNeg = firstFloatWhere([&](float x) { return z(x) >= t1; });
    thrPos = std::nextafter(firstFloatWhere([&](float x) { return z(x) >= t2; }), -std::numeric_limits<float>::max());
  } else {  // z ≥ Δp → +1, z ≤ Δn → −1 (t1 = Δp, t2 = Δn)
    thrNeg = firstFloatWhere([&](float x) { return z(x) > t2; });
    thrPos = std::nextafter(firstFloatWhere([&](float x) { return z(x) >= t1; }), -std::numeric_limits<float>::max());
  }
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
      const auto planes = weightPlanes(t.name, wq.scheme(), wqv, wq.lastCodes());
      t.planes = static_cast<int>(planes.codes.size());
      for (const auto& c : planes.codes) {
        const auto c8 = c.to(torch::kInt8).contiguous();
        t.codes.insert(t.codes.end(), c8.data_ptr<std::int8_t>(), c8.data_ptr<std::int8_t>() + c8.numel());
      }
      planeAlpha = planes.alpha;
      t.weightScale = planes.alpha[0];
      t.mode = LayerMode::TernaryInt8Act;
      if (const auto& aq = q->inputQuantizer()) {
        const auto& thr = aq->lastThresholds();
        const auto& sc = aq->lastScales();
        if (thr.size() != 1 || thr[0].empty() || sc.size() != 1 || sc[0].size() != 1)
          throw std::invalid_argument("layer " + t.name + ": activation quantizer " + aq->scheme() +
                                      " does not report one threshold pair and one scale");
        double lo = *std::min_element(thr[0].begin(), thr[0].end());
        double hi = *std::max_element(thr[0].begin(), thr[0].end());
        if (thr[0].size() == 1 && !halfAct) lo = -std::fabs(hi), hi = std::fabs(hi);
        t.thrNeg = static_cast<float>(lo), t.thrPos = static_cast<float>(hi);
        exactUniformThresholds(*aq, halfAct, t.thrNeg, t.thrPos);
        t.actScale = sc[0][0];
        actAlpha = t.actScale;
        t.mode = halfAct ? LayerMode::TernaryHalfAct : LayerMode::TernarySignedAct;
      }
    } else {
      t.weights = floats(w);
    }
    const auto bn = batchNorm(net, batchNormFor(net.arch(), t.name));
    const auto convBias = bias.defined() ? floats(bias) : std::vector<float>{};
    t.scale.clear();
    for (std::size_t p = 0; p < planeAlpha.size(); ++p) {
      const auto folded = foldBatchNorm(bn, t.outC, planeAlpha[p] * actAlpha, convBias);
      t.scale.insert(t.scale.end(), folded.scale.begin(), folded.scale.end());
      if (p == 0) t.bias = folded.bias;  // the bias does not depend on the scale
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
