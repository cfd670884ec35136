#include "train/ModelState.h"

#include <torch/torch.h>

#include <filesystem>
#include <sstream>

#include "io/AtomicFile.h"

namespace ternlab::train {

ModelState captureState(const torch::nn::Module& model) {
  ModelState s;
  for (const auto& p : model.named_parameters(true)) s[p.key()] = p.value().detach().clone();
  for (const auto& b : model.named_buffers(true)) s[b.key()] = b.value().detach().clone();
  return s;
}

int loadState(torch::nn::Module& model, const ModelState& state) {
  torch::NoGradGuard guard;
  int loaded = 0;
  auto copy = [&](const std::string& name, at::Tensor& t) {
    auto it = state.find(name);
    if (it != state.end() && it->second.sizes() == t.sizes()) {
      t.copy_(it->second);
      ++loaded;
    }
  };
  for (auto& p : model.named_parameters(true)) copy(p.key(), p.value());
  for (auto& b : model.named_buffers(true)) copy(b.key(), b.value());
  return loaded;
}

void saveStateFile(const ModelState& state, const std::string& path) {
  torch::serialize::OutputArchive ar;
  for (const auto& [k, v] : state) ar.write(k, v);
  saveArchiveFile(ar, path);
}

void saveArchiveFile(torch::serialize::OutputArchive& ar, const std::string& path) {
  // Serialised in memory, then written by one checked call: LibTorch's file writer cannot fail cleanly
  // (a full disk ends in an exception thrown from its destructor, which terminates the process).
  std::ostringstream bytes;
  ar.save_to(bytes);
  io::writeFileAtomically(path, bytes.str());  // never a half-written checkpoint under the real name
}

ModelState loadStateFile(const std::string& path) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(path + ": checkpoint not found");
  torch::serialize::InputArchive ar;
  try {
    ar.load_from(path);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": not a TernLab checkpoint (" + std::string(e.what()).substr(0, 200) + ")");
  }
  ModelState s;
  for (const auto& k : ar.keys()) {
    at::Tensor t;
    if (ar.try_read(k, t)) s[k] = t;
  }
  return s;
}

}  // namespace ternlab::train
