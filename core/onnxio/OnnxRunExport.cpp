// exportOnnx: a stored run -> .onnx, with its dataset's input normalisation and an "onnx" artefact record.
#include <torch/torch.h>

#include <filesystem>

#include "data/Dataset.h"
#include "engine/TnnExport.h"
#include "io/AtomicFile.h"
#include "onnxio/OnnxExport.h"
#include "store/RunStore.h"

namespace ternlab::onnxio {

namespace {
std::vector<float> values(const at::Tensor& t) {
  const auto c = t.to(torch::kFloat32).contiguous().reshape({-1});
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}
}  // namespace

OnnxExportResult exportOnnx(std::int64_t runId, const std::string& dbPath, const std::string& outPath,
                            const OnnxExportOptions& options) {
  const engine::TnnModel m = engine::buildRunTnn(runId, dbPath);
  // The normalisation the run trained with: the statistics of its (limited) train split.
  const auto name = m.info.value("dataset", std::string());
  auto dir = m.info.value("dataset_path", std::string());
  if (dir.empty()) dir = data::defaultDatasetPath(name);
  const auto pair = data::loadDataset(name, dir, m.info.value("train_limit", std::int64_t{0}), 1,
                                      engine::datasetOptionsOf(m));
  OnnxExportOptions o = options;
  o.normalisation(values(pair.mean), values(pair.std));
  const auto bytes = onnxModelBytes(m, o);
  io::writeFileAtomically(outPath, bytes);

  OnnxExportResult r;
  r.runId = m.info.at("run_id").get<std::int64_t>();
  r.stageId = m.info.at("stage_id").get<std::int64_t>();
  r.path = outPath;
  r.bytes = bytes.size();
  for (const auto& l : m.layers) r.ternaryLayers += l.ternary() ? 1 : 0;
  store::RunStore db(dbPath);
  store::Artefact a;
  a.kind = "onnx";
  a.path = std::filesystem::absolute(outPath).string();
  a.bytes = static_cast<std::int64_t>(r.bytes);
  db.addArtefact(r.stageId, a);
  return r;
}

}  // namespace ternlab::onnxio
