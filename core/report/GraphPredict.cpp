#include "report/GraphPredict.h"

#include <torch/torch.h>

#include "data/Dataset.h"
#include "io/Npz.h"
#include "report/RunModel.h"
#include "train/DatasetFor.h"

namespace ternlab::report {

GraphPredictions predictRun(const std::string& dbPath, std::int64_t runId, const PredictOptions& o) {
  if (o.split != "test" && o.split != "train")
    throw std::runtime_error("split must be test or train, not '" + o.split + "'");
  auto run = loadRun(dbPath, runId);
  const auto& d = run.config.data;
  const auto pair = train::loadDatasetFor(d, o.split == "test" ? o.limit : 1);
  const auto& ds = o.split == "test" ? pair.test : pair.train;
  const std::int64_t n = o.limit > 0 ? std::min(o.limit, ds.size()) : ds.size();
  GraphPredictions p;
  p.runId = run.id, p.stageId = run.stageId;
  p.inputs = ds.images.slice(0, 0, n).to(torch::kFloat32).contiguous();
  p.labels = ds.labels.slice(0, 0, n).to(torch::kInt64).contiguous();
  // The loader's pixels are k / 255 in fp32; k comes back exactly from the normalised images (error << 0.5).
  p.pixels = (p.inputs * pair.std + pair.mean).mul(255.0).round().div(255.0).contiguous();
  torch::NoGradGuard noGrad;
  run.net->eval();
  std::vector<at::Tensor> logits;
  for (std::int64_t i = 0; i < n; i += o.batch) logits.push_back(run.net->forward(p.inputs.slice(0, i, std::min(i + o.batch, n))));
  p.logits = n > 0 ? torch::cat(logits).contiguous() : torch::empty({0, 0});
  p.predicted = n > 0 ? p.logits.argmax(1).to(torch::kInt64).contiguous() : torch::empty({0}, torch::kInt64);
  p.accuracy = n > 0 ? 100.0 * p.predicted.eq(p.labels).sum().item<double>() / static_cast<double>(n) : 0.0;
  return p;
}

void writePredictions(const GraphPredictions& p, const std::string& path) {
  npz::writeNpz(path, {{"pixels", p.pixels, ""},
                       {"inputs", p.inputs, ""},
                       {"labels", p.labels, ""},
                       {"logits", p.logits, ""},
                       {"predicted", p.predicted, ""}});
}

}  // namespace ternlab::report
