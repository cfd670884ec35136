#pragma once
#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace ternlab::npz {

// One member of an .npz archive: a tensor stored as name + ".npy", or raw bytes under name as given
// (numpy's np.load returns such members as bytes).
struct Member {
  std::string name;
  at::Tensor tensor;   // float32, float64, int8, int32, int64 or uint8; written C-contiguous, little-endian
  std::string bytes;   // used when tensor is undefined
};

// Writes a zip of .npy files, stored (uncompressed), as numpy.savez does. Throws std::runtime_error.
void writeNpz(const std::string& path, const std::vector<Member>& members);

// Reads an .npz written by writeNpz or numpy.savez (stored members only): .npy members become tensors
// (name without ".npy"), other members raw bytes. Throws std::runtime_error for anything else.
std::vector<Member> readNpz(const std::string& path);

// The .npy encoding of one tensor (format version 1.0, header padded to 64 bytes).
std::string encodeNpy(const at::Tensor& t);
at::Tensor decodeNpy(const std::string& bytes);

}  // namespace ternlab::npz
