#include "report/RunModel.h"

#include <torch/torch.h>

#include <stdexcept>

#include "data/Dataset.h"
#include "store/RunStore.h"
#include "train/DatasetFor.h"
#include "train/ExperimentRunner.h"
#include "train/ModelState.h"
#include "train/StageTrainer.h"

namespace ternlab::report {

LoadedRun loadRun(const std::string& dbPath, std::int64_t id) {
  LoadedRun r;
  r.id = id;
  std::string configText;
  {
    store::RunStore db(dbPath);
    auto rec = db.run(id);
    if (!rec) throw std::runtime_error("run " + std::to_string(id) + " is not in " + dbPath);
    std::int64_t current = id;
    for (auto kids = db.children(current); !kids.empty(); kids = db.children(current)) current = kids.back();
    auto stage = db.run(current);
    r.stageId = current;
    configText = stage->config;
  }
  r.config = config::parseExperimentText(configText, "run " + std::to_string(r.stageId));
  const auto& d = r.config.data;
  const auto data = train::loadDatasetFor(d, 1);
  r.net = train::buildModel(r.config, data.train);
  r.checkpoint = train::resolveCheckpoint(std::to_string(r.stageId), dbPath);
  train::loadState(*r.net, train::loadStateFile(r.checkpoint));
  r.batch = data.train.images.slice(0, 0, std::min<std::int64_t>(r.config.batchSize, data.train.size()));
  r.mean = data.mean, r.std = data.std;
  return r;
}

}  // namespace ternlab::report
