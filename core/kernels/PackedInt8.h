#pragma once
// Formats for ternary weights x int8 activations, in the vpdpbusd shape: activations biased to
// u8 (x + 128), weights as s8 in groups of 4 consecutive K per int32 lane. K is padded to a
// multiple of 4 with zero weights, so the padded activation bytes (128) contribute nothing.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/PackedTernary.h"

namespace ternlab::kernels {

// Activation rows: data[r * stride() + k] = x[r][k] + 128.
struct Int8Rows {
  int rows = 0;
  int cols = 0;
  int groups = 0;  // ceil(cols / 4)
  int paddedRows = 0;
  AlignedVec<std::uint8_t> data;
  std::size_t stride() const { return static_cast<std::size_t>(groups) * 4; }
};

// Ternary weight panels: data[((p * groups + g) * kPanelRows + lane) * 4 + q] = w[16p + lane][4g + q].
struct Int8Panels {
  int rows = 0;
  int cols = 0;
  int groups = 0;
  int panels = 0;
  AlignedVec<std::int8_t> data;
  std::vector<std::int32_t> sum;  // per padded row: sum_k w (removes the +128 bias)
};

static_assert(4 * kPanelRows == 64, "one int8 panel group = one zmm = one cache line");

Int8Rows packInt8Rows(const std::int8_t* x, int rows, int cols);
std::vector<std::int8_t> unpackInt8Rows(const Int8Rows& packed);
// Weights must be ternary codes; throws std::invalid_argument otherwise.
Int8Panels packInt8Panels(const std::int8_t* codes, int rows, int cols);

}  // namespace ternlab::kernels
