#pragma once
#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "config/ExperimentConfig.h"
#include "io/Npz.h"
#include "nn/TernaryNet.h"

namespace ternlab::exporting {

// What an export holds: the .npz members and the manifest describing them.
struct ExportBundle {
  std::vector<npz::Member> members;
  nlohmann::json manifest;
};

// Re-runs one forward in train mode on `batch` (no gradient; BatchNorm statistics and every other buffer are
// restored afterwards) so that each quantizer's lastCodes() are the codes the training graph uses, then
// collects per layer: latent weight, bias, int8 codes / scales / thresholds per branch, the activation
// quantizer's state, the eq. 9 fold factor, and every model tensor under "state/". Member names are
// "<layer>/<array>"; the manifest lists them with shapes, scheme and options. runId < 0: not from a store.
ExportBundle collectExport(nn::TernaryNet& net, const config::ExperimentConfig& cfg, const at::Tensor& batch,
                           std::int64_t runId = -1);

// Writes bundle to path (an .npz with "manifest.json" inside) and, when sidecar, the manifest next to it as
// path + ".json".
void writeExport(const ExportBundle& bundle, const std::string& path, bool sidecar = true);

}  // namespace ternlab::exporting
