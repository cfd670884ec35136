#include "export/ModelExport.h"

#include <torch/torch.h>

#include <fstream>

#include "Version.h"
#include "config/SchemeCatalog.h"
#include "quant/UniformNormalizer.h"
#include "train/ModelState.h"

namespace ternlab::exporting {

namespace {

nlohmann::json specJson(const config::QuantSpec& s) {
  nlohmann::json j{{"scheme", s.scheme}, {"factor", s.factor}, {"branches", s.branches}, {"uniform", s.uniform}};
  j["betas"] = s.betas;
  j["options"] = s.options;
  return j;
}

// Eq. 9's normalisation of the last forward: Z̃ = gamma·(k·Z + shift); k and shift come from batch statistics.
nlohmann::json uniformJson(const quant::UniformNormalizer& u) {
  return {{"k", u.normScale()}, {"shift", u.normShift()}, {"gamma", u.gamma().item<double>()},
          {"half_gaussian", u.halfGaussian()}};
}

at::Tensor vec(const std::vector<double>& v) {
  return torch::tensor(v.empty() ? std::vector<double>{} : v, torch::kFloat64).to(torch::kFloat32);
}

}  // namespace

ExportBundle collectExport(nn::TernaryNet& net, const config::ExperimentConfig& cfg, const at::Tensor& batch,
                           std::int64_t runId) {
  const auto saved = train::captureState(net);
  const bool wasTraining = net.is_training();
  {
    torch::NoGradGuard guard;
    net.train();
    net.forward(batch);
  }
  train::loadState(net, saved);  // BatchNorm running statistics back to the checkpoint's
  net.train(wasTraining);

  ExportBundle b;
  auto add = [&](const std::string& name, const at::Tensor& t) {
    b.members.push_back({name, t.detach().to(torch::kCPU).contiguous(), ""});
    return name;
  };
  nlohmann::json layers = nlohmann::json::array();
  const auto& qls = net.quantLayers();
  for (std::size_t i = 0; i < qls.size(); ++i) {
    auto* l = qls[i];
    const auto& name = l->layerName();
    const auto spec = nn::weightSpecFor(net, i, cfg.quant);
    nlohmann::json lj{{"name", name}, {"kind", nn::layerKindName(l->kind())}, {"ternary", l->ternary()}, {"weight", specJson(spec)}};
    auto w = l->latentWeight();
    lj["shape"] = w.sizes().vec();
    nlohmann::json arrays = nlohmann::json::object();
    arrays["weight"] = add(name + "/weight", w.to(torch::kFloat32));
    auto* m = dynamic_cast<torch::nn::Module*>(l);
    if (m) {
      auto params = m->named_parameters(false);
      if (params.contains("bias")) arrays["bias"] = add(name + "/bias", params["bias"]);
    }
    if (const auto& q = l->weightQuantizer()) {
      nlohmann::json branches = nlohmann::json::array();
      for (std::size_t k = 0; k < q->lastCodes().size(); ++k) {
        const auto suffix = "_b" + std::to_string(k);
        branches.push_back({{"codes", add(name + "/codes" + suffix, q->lastCodes()[k])},
                            {"scales", add(name + "/scales" + suffix, vec(q->lastScales().at(k)))},
                            {"thresholds", add(name + "/thresholds" + suffix, vec(q->lastThresholds().at(k)))}});
      }
      arrays["branches"] = branches;
      lj["fold_factor"] = quant::uniformFoldFactor(*q);
      const auto stats = q->lastStats();
      if (!stats.empty() && std::isfinite(stats[0].gamma)) lj["gamma"] = stats[0].gamma;
      if (const auto* u = dynamic_cast<const quant::UniformNormalizer*>(q.get()))
        lj["uniform"] = uniformJson(*u);
    }
    if (const auto& a = l->inputQuantizer()) {
      nlohmann::json aj{{"spec", specJson(cfg.quant.activations)},
                        {"scales", add(name + "/act_scales", vec(a->lastScales().at(0)))},
                        {"thresholds", add(name + "/act_thresholds", vec(a->lastThresholds().at(0)))},
                        {"fold_factor", quant::uniformFoldFactor(*a)}};
      if (const auto* u = dynamic_cast<const quant::UniformNormalizer*>(a.get())) aj["uniform"] = uniformJson(*u);
      aj["codes"] = config::halfRangeActivations(cfg.quant.activations) ? "0,1,2" : "-1,0,1";
      lj["activation"] = aj;
    }
    lj["arrays"] = arrays;
    layers.push_back(lj);
  }
  nlohmann::json state = nlohmann::json::object();
  for (const auto& [k, t] : train::captureState(net)) state[k] = add("state/" + k, t);
  b.manifest = {{"format", "ternlab-export"}, {"format_version", 1}, {"ternlab_version", kVersion},
                {"git_commit", kGitCommit},   {"arch", net.arch()},    {"experiment", cfg.name},
                {"layers", layers},           {"state", state},        {"quant", cfg.json.is_object() ? cfg.json.value("quant", nlohmann::json()) : nlohmann::json()}};
  if (runId >= 0) b.manifest["run_id"] = runId;
  b.manifest["codes_note"] =
      "codes are int8 in {-1,0,1} (activations of half-range schemes {0,1,2}); de-quantized weight = sum over "
      "branches of codes_b*scale (ttq: +Wp / -Wn). Thresholds are in latent-weight units.";
  return b;
}

void writeExport(const ExportBundle& bundle, const std::string& path, bool sidecar) {
  auto members = bundle.members;
  members.push_back({"manifest.json", at::Tensor(), bundle.manifest.dump(2)});
  npz::writeNpz(path, members);
  if (sidecar) {
    std::ofstream f(path + ".json", std::ios::trunc);
    if (!f) throw std::runtime_error(path + ".json: cannot open for writing");
    f << bundle.manifest.dump(2) << "\n";
  }
}

}  // namespace ternlab::exporting
