// exportOnnx: a stored run -> .onnx, with its dataset's input normalisation and an "onnx" artefact record.
#include <vector>

#include "engine/TnnExport.h"
#include "io/AtomicFile.h"
#include "onnxio/OnnxExport.h"

namespace ternlab::onnxio {

OnnxExportResult exportOnnx(std::int64_t runId, const std::string& dbPath, const std::string& outPath,
                            const OnnxExportOptions& options) {
  const engine::TnnModel m = engine::buildRunTnn(runId, dbPath);
  // The normalisation the run trained with (its train split's statistics, recorded by buildRunTnn).
  OnnxExportOptions o = options;
  o.normalisation(m.info.at("input_mean").get<std::vector<float>>(), m.info.at("input_std").get<std::vector<float>>());
  const auto bytes = onnxModelBytes(m, o);
  io::writeFileAtomically(outPath, bytes);

  OnnxExportResult r;
  r.runId = m.info.at("run_id").get<std::int64_t>();
  r.stageId = m.info.at("stage_id").get<std::int64_t>();
  r.path = outPath;
  r.bytes = bytes.size();
  for (const auto& l : m.layers) r.ternaryLayers += l.ternary() ? 1 : 0;
  engine::recordExportArtefact(dbPath, r.stageId, "onnx", outPath, r.bytes);
  return r;
}

}  // namespace ternlab::onnxio
