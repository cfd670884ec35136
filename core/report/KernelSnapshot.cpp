#include "report/KernelSnapshot.h"

#include <torch/torch.h>

#include <filesystem>

#include "export/ModelExport.h"
#include "report/RunModel.h"
#include "store/RunStore.h"
#include "train/ModelState.h"

namespace ternlab::report {

std::int64_t KernelSnapshot::numel() const { return static_cast<std::int64_t>(latent.size()); }

double KernelSnapshot::density(std::size_t branch) const {
  if (branch >= codes.size() || codes[branch].empty()) return 0;
  std::int64_t nz = 0;
  for (auto c : codes[branch]) nz += c != 0;
  return static_cast<double>(nz) / static_cast<double>(codes[branch].size());
}

std::vector<CheckpointRef> listCheckpoints(const std::string& dbPath, std::int64_t runId) {
  store::RunStore db(dbPath);
  const auto rec = db.run(runId);
  if (!rec) throw std::runtime_error("run " + std::to_string(runId) + " is not in " + dbPath);
  auto stages = db.children(runId);
  if (stages.empty()) stages.push_back(runId);
  std::vector<CheckpointRef> out;
  for (auto id : stages) {
    const auto stage = db.run(id);
    const std::string prefix = stage->stage.empty() ? std::string() : stage->stage + " / ";
    for (const auto& a : db.artefacts(id)) {
      if ((a.kind != "checkpoint" && a.kind != "checkpoint-final") || !std::filesystem::exists(a.path)) continue;
      std::string label = prefix + (a.kind == "checkpoint-final" ? std::string("final")
                                                                 : "epoch " + std::filesystem::path(a.path).stem().string().substr(6));
      out.push_back({label, a.path, id, a.step});
    }
  }
  return out;
}

std::vector<KernelSnapshot> kernelSnapshots(const std::string& dbPath, std::int64_t runId, const std::string& checkpoint) {
  auto run = loadRun(dbPath, runId);
  if (!checkpoint.empty() && checkpoint != run.checkpoint) train::loadState(*run.net, train::loadStateFile(checkpoint));
  run.net->eval();
  const auto bundle = exporting::collectExport(*run.net, run.config, run.batch, run.stageId);
  auto member = [&](const std::string& name) -> const at::Tensor* {
    for (const auto& m : bundle.members)
      if (m.name == name) return &m.tensor;
    return nullptr;
  };
  auto doubles = [](const at::Tensor& t) {
    const auto c = t.to(torch::kFloat64).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
  };
  std::vector<KernelSnapshot> out;
  for (const auto& layer : bundle.manifest["layers"]) {
    KernelSnapshot s;
    s.layer = layer["name"].get<std::string>();
    s.kind = layer.value("kind", "");
    s.ternary = layer.value("ternary", false);
    s.scheme = layer["weight"].value("scheme", "none");
    const auto* w = member(s.layer + "/weight");
    if (!w) continue;
    const auto wc = w->to(torch::kFloat32).contiguous();
    s.shape = wc.sizes().vec();
    s.latent.assign(wc.data_ptr<float>(), wc.data_ptr<float>() + wc.numel());
    for (int b = 0;; ++b) {
      const auto* codes = member(s.layer + "/codes_b" + std::to_string(b));
      if (!codes) break;
      const auto cc = codes->to(torch::kInt8).contiguous();
      s.codes.emplace_back(cc.data_ptr<std::int8_t>(), cc.data_ptr<std::int8_t>() + cc.numel());
      const auto* thr = member(s.layer + "/thresholds_b" + std::to_string(b));
      const auto* sc = member(s.layer + "/scales_b" + std::to_string(b));
      s.thresholds.push_back(thr ? doubles(*thr) : std::vector<double>{});
      s.scales.push_back(sc ? doubles(*sc) : std::vector<double>{});
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ternlab::report
