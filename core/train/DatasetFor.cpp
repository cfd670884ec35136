#include "train/DatasetFor.h"

namespace ternlab::train {

std::string datasetDir(const config::DataSpec& d) { return d.path.empty() ? data::defaultDatasetPath(d.name) : d.path; }

data::OwnDataOptions ownDataOptions(const config::DataSpec& d) {
  data::OwnDataOptions o;
  o.testFraction = d.testFraction, o.imageSize = d.imageSize, o.channels = d.channels;
  return o;
}

data::DatasetPair loadDatasetFor(const config::DataSpec& d, std::int64_t testLimit) {
  return data::loadDataset(d.name, datasetDir(d), d.trainLimit, testLimit, ownDataOptions(d));
}

}  // namespace ternlab::train
