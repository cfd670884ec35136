// Fuzz target: an IDX file (raw or gzip) read as an image file (rank 3) and as a label file (rank 1).
#include "FuzzSupport.h"
#include "data/DataError.h"
#include "data/IdxReader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ternlab;
  const auto path = fuzz::writeInput("input-idx", data, size);
  for (int rank : {3, 1}) {
    try {
      const auto a = data::readIdx(path, rank);
      std::size_t count = 1;
      for (auto d : a.dims) count *= static_cast<std::size_t>(d);
      if (count != a.values.size()) fuzz::unexpected("size mismatch after a successful read", nullptr);
    } catch (const data::DataError& e) {
      fuzz::expectNamesFile(e, path);
    } catch (const std::exception& e) {
      fuzz::unexpected("exception", &e);
    }
  }
  return 0;
}
