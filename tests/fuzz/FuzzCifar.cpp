// Fuzz target: a CIFAR-10 binary batch (raw or gzip) read into a dataset.
#include <torch/torch.h>

#include "FuzzSupport.h"
#include "data/DataError.h"
#include "data/Dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ternlab;
  const auto path = fuzz::writeInput("data_batch.bin", data, size);
  try {
    const auto d = data::readCifar10Batches({path}, "cifar10");
    if (d.images.size(0) != d.labels.size(0)) fuzz::unexpected("images and labels differ in count", nullptr);
  } catch (const data::DataError& e) {
    fuzz::expectNamesFile(e, path);
  } catch (const std::exception& e) {
    fuzz::unexpected("exception", &e);
  }
  return 0;
}
