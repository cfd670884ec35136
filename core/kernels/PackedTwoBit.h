#pragma once
// Conventional 2-bit format (the 4-popcount baseline FATNN compares with): value u = code + 1
// in {0..3} stored as two magnitude planes, u = 2*hi + lo. A ternary code stored this way
// (u in {0,1,2}) costs what any 2-bit network costs. Padding bits are zero (u = 0).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/PackedTernary.h"

namespace ternlab::kernels {

// Row-major 2-bit planes (activation operand) plus per-row sum of u for the offset correction.
struct TwoBitRows {
  int rows = 0;
  int cols = 0;
  int words = 0;
  int paddedRows = 0;
  AlignedVec<std::uint64_t> hi;
  AlignedVec<std::uint64_t> lo;
  std::vector<std::int32_t> sum;  // per padded row: sum_k u
};

// Weight panels: word w of panel p = [hi of rows 0..15 | lo of rows 0..15].
struct TwoBitPanels {
  int rows = 0;
  int cols = 0;
  int words = 0;
  int panels = 0;
  AlignedVec<std::uint64_t> data;
  std::vector<std::int32_t> sum;  // per padded row: sum_k u

  std::size_t panelStride() const { return static_cast<std::size_t>(words) * 2 * kPanelRows; }
};

// Codes in {-1, 0, 1, 2} (u = code + 1); throws std::invalid_argument otherwise.
TwoBitRows packTwoBitRows(const std::int8_t* codes, int rows, int cols);
std::vector<std::int8_t> unpackTwoBitRows(const TwoBitRows& packed);
TwoBitPanels packTwoBitPanels(const std::int8_t* codes, int rows, int cols);
std::vector<std::int8_t> unpackTwoBitPanels(const TwoBitPanels& packed);

}  // namespace ternlab::kernels
