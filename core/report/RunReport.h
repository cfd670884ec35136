#pragma once
#include <cstdint>
#include <string>

#include "report/LayerRow.h"

namespace ternlab::report {

// The per-layer model summary of a stored run (its last stage's policy) at a checkpoint, for callers that
// must not see LibTorch (the views): the model is rebuilt, `checkpoint` loaded (empty: the run's final one),
// and summarised on one training batch. An FP stage's checkpoint is summarised ternarized by the final
// policy: the density the ternary stage started from. Throws std::runtime_error naming what is missing.
ModelReport reportRun(const std::string& dbPath, std::int64_t runId, const std::string& checkpoint = "");

}  // namespace ternlab::report
