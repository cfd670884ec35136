#pragma once
// Ternary bitplane formats (docs/ARCHITECTURE.md): t = m * (1 - 2 s), m = nonzero, s = negative,
// packed along the reduction axis K in uint64 words (bit k%64 of word k/64); padding bits are
// zero in both planes and so contribute nothing to any product.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/AlignedBuffer.h"
#include "kernels/detail/GemmArgs.h"

namespace ternlab::kernels {

inline constexpr int kPanelRows = detail::kPanelRows;  // output channels per weight panel
inline constexpr int kRowAlign = detail::kRowAlign;    // activation rows padded to this

inline int wordsFor(int cols) { return (cols + 63) / 64; }
inline int alignRows(int rows) { return (rows + kRowAlign - 1) / kRowAlign * kRowAlign; }

// Row-major bitplanes: the broadcast (activation) operand, also a general ternary matrix.
// m[r * words + w], s[r * words + w]; rows padded with zero rows up to paddedRows.
struct TernaryRows {
  int rows = 0;
  int cols = 0;
  int words = 0;
  int paddedRows = 0;
  AlignedVec<std::uint64_t> m;
  AlignedVec<std::uint64_t> s;

  void reset(int rows, int cols);  // shape + zero planes
  std::uint64_t* mRow(int r) { return m.data() + static_cast<std::size_t>(r) * words; }
  std::uint64_t* sRow(int r) { return s.data() + static_cast<std::size_t>(r) * words; }
  const std::uint64_t* mRow(int r) const { return m.data() + static_cast<std::size_t>(r) * words; }
  const std::uint64_t* sRow(int r) const { return s.data() + static_cast<std::size_t>(r) * words; }
  std::int8_t at(int r, int k) const;
};

// Weight panels: kPanelRows output channels side by side so one vector load gets one word of
// several channels. Word w of panel p is 2*kPanelRows uint64: [m of rows 0..15 | s of rows 0..15].
struct TernaryPanels {
  int rows = 0;  // output channels N
  int cols = 0;  // K
  int words = 0;
  int panels = 0;
  AlignedVec<std::uint64_t> data;
  std::vector<std::int32_t> rowSum;  // sum_k w[n][k], for the {0,1,2} activation kernel

  std::size_t panelStride() const { return static_cast<std::size_t>(words) * 2 * kPanelRows; }
  std::int8_t at(int n, int k) const;
};

static_assert(sizeof(std::uint64_t) * 2 * kPanelRows == 256, "one panel word = 4 cache lines");
static_assert(kPanelRows % 8 == 0, "a zmm of 8 uint64 lanes must tile the panel");
static_assert(kRowAlign % 4 == 0, "row tiles of 1, 2, 4 or 8 rows must fit the padding");

// Packs int8 codes in {-1, 0, 1} (row stride ld elements, ld = cols when < 0). Throws
// std::invalid_argument on any other value.
TernaryRows packTernaryRows(const std::int8_t* codes, int rows, int cols, std::ptrdiff_t ld = -1);
std::vector<std::int8_t> unpackTernaryRows(const TernaryRows& packed);

TernaryPanels packTernaryPanels(const std::int8_t* codes, int rows, int cols, std::ptrdiff_t ld = -1);
std::vector<std::int8_t> unpackTernaryPanels(const TernaryPanels& packed);

// Sets element (r, k) of a zeroed TernaryRows (used by fused packers).
inline void setTernary(TernaryRows& t, int r, int k, int code) {
  if (code == 0) return;
  const std::uint64_t bit = std::uint64_t{1} << (k & 63);
  t.mRow(r)[k >> 6] |= bit;
  if (code < 0) t.sRow(r)[k >> 6] |= bit;
}

}  // namespace ternlab::kernels
