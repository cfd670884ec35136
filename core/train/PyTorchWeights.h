#pragma once
// A user's PyTorch weights as a starting point: init_from accepts a file written by torch.save(model.state_dict())
// (or of a plain dict of tensors) for the zoo architectures. Names are mapped by the table in
// docs/ARCHITECTURE.md ("PyTorch weights"); every weight must find a TernLab tensor of the same shape.
#include <string>

#include "train/ModelState.h"

namespace ternlab::train {

// Whether path is a torch.save zip archive (PyTorch ≥ 1.6) rather than a LibTorch checkpoint.
bool isPyTorchArchive(const std::string& path);

// The archive's tensors by their PyTorch names. Throws std::runtime_error naming the file and the fault.
ModelState readPyTorchStateDict(const std::string& path);

// PyTorch name -> TernLab name: "module." prefixes dropped (DataParallel), "layerS.B." -> "layerS_B.",
// "downsample.0." / "shortcut.0." -> "shortcut.", "downsample.1." / "shortcut.1." -> "bn_shortcut.",
// a top-level "linear." -> "fc.". Other names are kept.
std::string ternlabNameOf(const std::string& pytorchName);

// The file's tensors renamed for `target` (the state of the model they will start): throws
// std::runtime_error naming the file and the tensor when a name has no counterpart, a shape differs, or a
// convolution / linear / BatchNorm tensor of the model is not in the file. Quantizer state (thresholds,
// scales, steps) is not expected in the file and keeps its initial value.
ModelState mapPyTorchState(const ModelState& file, const ModelState& target, const std::string& path);

}  // namespace ternlab::train
