#pragma once
// The versioned .tnn container. Layout (little endian):
//   "TERNLAB\x1a" magic (8) | u32 version | u32 flags (0) | u64 manifest length | manifest JSON |
//   u64 payload length | payload (per layer, in manifest order: base-3 ternary codes or fp32 weights,
//   fp32 scale[outC], fp32 bias[outC]) | u64 FNV-1a checksum of every byte before it.
// The manifest describes geometry, modes, thresholds, program, offsets and the run it came from.
#include <stdexcept>
#include <string>

#include "engine/TnnModel.h"

namespace ternlab::engine {

inline constexpr std::size_t kMaxTnnBytes = std::size_t(1) << 30;  // a ResNet-18 .tnn is about 3 MB
inline constexpr std::uint32_t kTnnVersion = 3;  // 2: typed ops with activations, weight planes, RPReLU; 3: flags
inline constexpr std::uint32_t kTnnManifestDeflated = 1;  // flags bit 0: the manifest is a zlib stream
inline constexpr std::size_t kMaxTnnManifestBytes = std::size_t(64) << 20;  // inflated

// A .tnn that cannot be read; the message names the file and the fault.
class TnnError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes atomically enough for our use (whole buffer, then one write); returns the file size in bytes.
std::size_t writeTnn(const TnnModel& model, const std::string& path);
// Throws TnnError: missing file, foreign file (magic), newer version, truncation, checksum, bad manifest.
TnnModel readTnn(const std::string& path);

}  // namespace ternlab::engine
