#include "report/RunReport.h"

#include <torch/torch.h>

#include "report/LayerReport.h"
#include "report/RunModel.h"
#include "train/ModelState.h"

namespace ternlab::report {

ModelReport reportRun(const std::string& dbPath, std::int64_t runId, const std::string& checkpoint) {
  auto run = loadRun(dbPath, runId);
  if (!checkpoint.empty() && checkpoint != run.checkpoint) train::loadState(*run.net, train::loadStateFile(checkpoint));
  return summarize(*run.net, run.batch);
}

}  // namespace ternlab::report
