#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/serialize/output-archive.h>

#include <map>
#include <string>

namespace ternlab::train {

// A model's parameters and buffers by dotted name: what checkpoints hold and stages hand on.
using ModelState = std::map<std::string, at::Tensor>;

ModelState captureState(const torch::nn::Module& model);
// Copies every entry whose name and shape match; returns how many tensors were loaded.
int loadState(torch::nn::Module& model, const ModelState& state);
void saveStateFile(const ModelState& state, const std::string& path);
// Writes a LibTorch archive (a checkpoint, an optimizer state) whole or not at all: serialised in memory,
// then io::writeFileAtomically; a failure is an io::FileError naming the file and the cause.
void saveArchiveFile(torch::serialize::OutputArchive& ar, const std::string& path);
ModelState loadStateFile(const std::string& path);  // throws std::runtime_error naming the file

}  // namespace ternlab::train
