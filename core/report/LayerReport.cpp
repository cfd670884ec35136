#include "report/LayerReport.h"
#include "report/EnergyModel.h"

#include <torch/torch.h>

#include <cstdio>

namespace ternlab::report {

ModelReport summarize(nn::TernaryNet& net, const at::Tensor& batch) {
  {
    torch::NoGradGuard guard;
    const bool wasTraining = net.is_training();
    net.eval();
    net.forward(batch);
    net.train(wasTraining);
  }
  ModelReport r;
  r.total.name = "total";
  double totalCodes = 0, totalNonZero = 0;
  for (auto* l : net.quantLayers()) {
    LayerRow row;
    row.name = l->layerName();
    row.kind = nn::layerKindName(l->kind());
    const auto w = l->latentWeight();
    row.shape = w.sizes().vec();
    std::int64_t biasN = 0;
    if (auto* m = dynamic_cast<torch::nn::Module*>(l)) {
      auto params = m->named_parameters(false);
      if (params.contains("bias")) biasN = params["bias"].numel();
    }
    row.params = w.numel() + biasN;
    row.fpBytes = 4.0 * row.params;
    row.macs = l->lastMacsPerSample();
    row.activationBits = l->inputQuantizer() ? 2 : 32;
    if (const auto& q = l->weightQuantizer()) {
      row.scheme = q->scheme();
      const auto& codes = q->lastCodes();
      row.branches = static_cast<int>(codes.size());
      row.weightBits = 2 * row.branches;
      double scales = 0, nz = 0, n = 0;
      for (std::size_t b = 0; b < codes.size(); ++b) {
        const double bnz = codes[b].ne(0).sum().item<double>();
        row.branchDensity.push_back(bnz / std::max<double>(1, codes[b].numel()));
        nz += bnz;
        n += codes[b].numel();
        scales += b < q->lastScales().size() ? q->lastScales()[b].size() : 1;
      }
      row.density = n > 0 ? nz / n : 0;
      row.packedBytes = w.numel() * 2.0 * row.branches / 8.0 + 4.0 * scales + 4.0 * biasN;
      row.effectiveMacs = row.macs * row.density * row.branches;
      totalCodes += n;
      totalNonZero += nz;
    } else {
      row.scheme = "none";
      row.packedBytes = row.fpBytes;
      row.effectiveMacs = static_cast<double>(row.macs);
      totalCodes += w.numel();
      totalNonZero += w.ne(0).sum().item<double>();
    }
    row.bitOps = static_cast<double>(row.macs) * row.weightBits * row.activationBits;
    row.energyPj = estimatedEnergyPj(row);
    r.total.bitOps += row.bitOps;
    r.total.energyPj += row.energyPj;
    r.total.params += row.params;
    r.total.fpBytes += row.fpBytes;
    r.total.packedBytes += row.packedBytes;
    r.total.macs += row.macs;
    r.total.effectiveMacs += row.effectiveMacs;
    r.layers.push_back(std::move(row));
  }
  r.total.density = totalCodes > 0 ? totalNonZero / totalCodes : 0;
  return r;
}

nlohmann::json toJson(const ModelReport& r) {
  auto row = [](const LayerRow& l) {
    return nlohmann::json{{"layer", l.name},
                          {"kind", l.kind},
                          {"scheme", l.scheme},
                          {"shape", l.shape},
                          {"params", l.params},
                          {"branches", l.branches},
                          {"weight_bits", l.weightBits},
                          {"activation_bits", l.activationBits},
                          {"memory_fp_bytes", l.fpBytes},
                          {"memory_packed_bytes", l.packedBytes},
                          {"macs_per_sample", l.macs},
                          {"effective_macs_per_sample", l.effectiveMacs},
                          {"bit_ops_per_sample", l.bitOps},
                          {"energy_pj_per_sample", l.energyPj},
                          {"density", l.density},
                          {"branch_density", l.branchDensity},
                          {"compression", l.compression()}};
  };
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : r.layers) layers.push_back(row(l));
  auto total = row(r.total);
  for (const char* k : {"kind", "scheme", "shape", "branches", "weight_bits", "activation_bits", "branch_density"})
    total.erase(k);
  return {{"layers", layers}, {"total", total}};
}

std::string formatTable(const ModelReport& r) {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-10s %-6s %-6s %-16s %9s %5s %5s %11s %11s %11s %12s %10s %8s %7s\n", "layer",
                "kind", "scheme", "shape", "params", "Wbit", "Abit", "FP bytes", "packed", "MACs", "bit-ops", "energy nJ",
                "density", "ratio");
  out += buf;
  auto line = [&](const LayerRow& l, bool total) {
    std::string shape;
    for (auto d : l.shape) shape += (shape.empty() ? "" : "x") + std::to_string(d);
    std::snprintf(buf, sizeof buf, "%-10s %-6s %-6s %-16s %9lld %5s %5s %11.0f %11.0f %11lld %12.3g %10.2f %7.1f%% %6.1fx\n",
                  l.name.c_str(), l.kind.c_str(), l.scheme.c_str(), shape.c_str(),
                  static_cast<long long>(l.params), total ? "" : std::to_string(l.weightBits).c_str(),
                  total ? "" : std::to_string(l.activationBits).c_str(), l.fpBytes, l.packedBytes,
                  static_cast<long long>(l.macs), l.bitOps, l.energyPj * 1e-3, 100.0 * l.density, l.compression());
    out += buf;
  };
  for (const auto& l : r.layers) line(l, false);
  line(r.total, true);
  return out;
}

}  // namespace ternlab::report
