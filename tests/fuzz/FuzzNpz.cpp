// Fuzz target: an .npz archive (zip of .npy members) read into tensors.
#include <ATen/core/Tensor.h>

#include "FuzzSupport.h"
#include "io/Npz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ternlab;
  const auto path = fuzz::writeInput("weights.npz", data, size);
  try {
    (void)npz::readNpz(path);
  } catch (const std::runtime_error& e) {
    fuzz::expectNamesFile(e, path);
  } catch (const std::exception& e) {
    fuzz::unexpected("exception", &e);
  }
  return 0;
}
