#include "kernels/PackedTwoBit.h"

#include <stdexcept>
#include <string>

namespace ternlab::kernels {
namespace {

int checkedU(std::int8_t c) {
  if (c < -1 || c > 2) throw std::invalid_argument("2-bit code out of {-1..2}: " + std::to_string(c));
  return c + 1;
}

int bitOf(std::uint64_t w, int k) { return static_cast<int>((w >> (k & 63)) & 1); }

}  // namespace

TwoBitRows packTwoBitRows(const std::int8_t* codes, int rows, int cols) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("TwoBitRows: negative shape");
  TwoBitRows t;
  t.rows = rows;
  t.cols = cols;
  t.words = wordsFor(cols);
  t.paddedRows = alignRows(rows);
  const std::size_t n = static_cast<std::size_t>(t.paddedRows) * t.words;
  t.hi.assign(n, 0);
  t.lo.assign(n, 0);
  t.sum.assign(t.paddedRows, 0);
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < cols; ++k) {
      const int u = checkedU(codes[static_cast<std::size_t>(r) * cols + k]);
      const std::size_t idx = static_cast<std::size_t>(r) * t.words + (k >> 6);
      const std::uint64_t bit = std::uint64_t{1} << (k & 63);
      if (u & 2) t.hi[idx] |= bit;
      if (u & 1) t.lo[idx] |= bit;
      t.sum[r] += u;
    }
  return t;
}

std::vector<std::int8_t> unpackTwoBitRows(const TwoBitRows& t) {
  std::vector<std::int8_t> out(static_cast<std::size_t>(t.rows) * t.cols);
  for (int r = 0; r < t.rows; ++r)
    for (int k = 0; k < t.cols; ++k) {
      const std::size_t idx = static_cast<std::size_t>(r) * t.words + (k >> 6);
      out[static_cast<std::size_t>(r) * t.cols + k] =
          static_cast<std::int8_t>(2 * bitOf(t.hi[idx], k) + bitOf(t.lo[idx], k) - 1);
    }
  return out;
}

TwoBitPanels packTwoBitPanels(const std::int8_t* codes, int rows, int cols) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("TwoBitPanels: negative shape");
  TwoBitPanels p;
  p.rows = rows;
  p.cols = cols;
  p.words = wordsFor(cols);
  p.panels = (rows + kPanelRows - 1) / kPanelRows;
  p.data.assign(static_cast<std::size_t>(p.panels) * p.panelStride(), 0);
  p.sum.assign(static_cast<std::size_t>(p.panels) * kPanelRows, 0);
  for (int n = 0; n < rows; ++n) {
    const std::size_t base = (n / kPanelRows) * p.panelStride() + n % kPanelRows;
    for (int k = 0; k < cols; ++k) {
      const int u = checkedU(codes[static_cast<std::size_t>(n) * cols + k]);
      const std::size_t idx = base + static_cast<std::size_t>(k >> 6) * 2 * kPanelRows;
      const std::uint64_t bit = std::uint64_t{1} << (k & 63);
      if (u & 2) p.data[idx] |= bit;
      if (u & 1) p.data[idx + kPanelRows] |= bit;
      p.sum[n] += u;
    }
  }
  return p;
}

std::vector<std::int8_t> unpackTwoBitPanels(const TwoBitPanels& p) {
  std::vector<std::int8_t> out(static_cast<std::size_t>(p.rows) * p.cols);
  for (int n = 0; n < p.rows; ++n) {
    const std::size_t base = (n / kPanelRows) * p.panelStride() + n % kPanelRows;
    for (int k = 0; k < p.cols; ++k) {
      const std::size_t idx = base + static_cast<std::size_t>(k >> 6) * 2 * kPanelRows;
      out[static_cast<std::size_t>(n) * p.cols + k] =
          static_cast<std::int8_t>(2 * bitOf(p.data[idx], k) + bitOf(p.data[idx + kPanelRows], k) - 1);
    }
  }
  return out;
}

}  // namespace ternlab::kernels
