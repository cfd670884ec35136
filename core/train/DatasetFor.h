#pragma once
// The dataset an experiment's data spec names, loaded the way its runs see it: the default folder when none
// is given, its train limit, and a user's own-data options. Exists so training, export and prediction agree.
#include <cstdint>
#include <string>

#include "config/ExperimentConfig.h"
#include "data/Dataset.h"

namespace ternlab::train {

std::string datasetDir(const config::DataSpec& d);
data::OwnDataOptions ownDataOptions(const config::DataSpec& d);
// testLimit > 0 keeps the first N test images (1 when only the training split is wanted).
data::DatasetPair loadDatasetFor(const config::DataSpec& d, std::int64_t testLimit);

}  // namespace ternlab::train
