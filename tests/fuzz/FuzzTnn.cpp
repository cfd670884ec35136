// Fuzz target: a .tnn file read, turned into an engine and run on one image. The input is the file
// without its trailing checksum, which the target appends, so mutations reach past the checksum check.
#include <vector>

#include "FuzzSupport.h"
#include "engine/Checksum.h"
#include "engine/Engine.h"
#include "engine/TnnFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ternlab;
  std::vector<std::uint8_t> file(data, data + size);
  const std::uint64_t sum = engine::fnv1a64(file.data(), file.size());
  const auto* s = reinterpret_cast<const std::uint8_t*>(&sum);
  file.insert(file.end(), s, s + sizeof sum);
  const auto path = fuzz::writeInput("model.tnn", file.data(), file.size());
  engine::TnnModel model;
  try {
    model = engine::readTnn(path);
  } catch (const engine::TnnError& e) {
    fuzz::expectNamesFile(e, path);
    return 0;
  } catch (const std::exception& e) {
    fuzz::unexpected("exception from readTnn", &e);
  }
  // A model readTnn accepted must build and run: its validation is what keeps the kernels safe.
  try {
    const std::vector<float> image(static_cast<std::size_t>(model.inC) * model.inH * model.inW, 0.5f);
    engine::Engine e(std::move(model));
    const auto logits = e.run(image.data(), 1);
    if (logits.size() != static_cast<std::size_t>(e.model().classes)) fuzz::unexpected("wrong logit count", nullptr);
  } catch (const std::exception& e) {
    fuzz::unexpected("exception from an accepted model", &e);
  }
  return 0;
}
