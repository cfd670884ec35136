#include "kernels/PackedTernary.h"

#include <stdexcept>
#include <string>

namespace ternlab::kernels {
namespace {

int checkedCode(std::int8_t c) {
  if (c < -1 || c > 1) throw std::invalid_argument("ternary code out of {-1,0,1}: " + std::to_string(c));
  return c;
}

int decode(std::uint64_t mw, std::uint64_t sw, int k) {
  const std::uint64_t bit = std::uint64_t{1} << (k & 63);
  if (!(mw & bit)) return 0;
  return (sw & bit) ? -1 : 1;
}

}  // namespace

void TernaryRows::reset(int r, int c) {
  if (r < 0 || c < 0) throw std::invalid_argument("TernaryRows: negative shape");
  rows = r;
  cols = c;
  words = wordsFor(c);
  paddedRows = alignRows(r);
  m.assign(static_cast<std::size_t>(paddedRows) * words, 0);
  s.assign(static_cast<std::size_t>(paddedRows) * words, 0);
}

std::int8_t TernaryRows::at(int r, int k) const {
  return static_cast<std::int8_t>(decode(mRow(r)[k >> 6], sRow(r)[k >> 6], k));
}

std::int8_t TernaryPanels::at(int n, int k) const {
  const std::size_t base = (n / kPanelRows) * panelStride() + static_cast<std::size_t>(k >> 6) * 2 * kPanelRows +
                           n % kPanelRows;
  return static_cast<std::int8_t>(decode(data[base], data[base + kPanelRows], k));
}

TernaryRows packTernaryRows(const std::int8_t* codes, int rows, int cols, std::ptrdiff_t ld) {
  if (ld < 0) ld = cols;
  TernaryRows t;
  t.reset(rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < cols; ++k) setTernary(t, r, k, checkedCode(codes[r * ld + k]));
  return t;
}

std::vector<std::int8_t> unpackTernaryRows(const TernaryRows& t) {
  std::vector<std::int8_t> out(static_cast<std::size_t>(t.rows) * t.cols);
  for (int r = 0; r < t.rows; ++r)
    for (int k = 0; k < t.cols; ++k) out[static_cast<std::size_t>(r) * t.cols + k] = t.at(r, k);
  return out;
}

TernaryPanels packTernaryPanels(const std::int8_t* codes, int rows, int cols, std::ptrdiff_t ld) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("TernaryPanels: negative shape");
  if (ld < 0) ld = cols;
  TernaryPanels p;
  p.rows = rows;
  p.cols = cols;
  p.words = wordsFor(cols);
  p.panels = (rows + kPanelRows - 1) / kPanelRows;
  p.data.assign(static_cast<std::size_t>(p.panels) * p.panelStride(), 0);
  p.rowSum.assign(static_cast<std::size_t>(p.panels) * kPanelRows, 0);
  for (int n = 0; n < rows; ++n) {
    const std::size_t base = (n / kPanelRows) * p.panelStride() + n % kPanelRows;
    for (int k = 0; k < cols; ++k) {
      const int c = checkedCode(codes[n * ld + k]);
      p.rowSum[n] += c;
      if (c == 0) continue;
      const std::size_t idx = base + static_cast<std::size_t>(k >> 6) * 2 * kPanelRows;
      const std::uint64_t bit = std::uint64_t{1} << (k & 63);
      p.data[idx] |= bit;
      if (c < 0) p.data[idx + kPanelRows] |= bit;
    }
  }
  return p;
}

std::vector<std::int8_t> unpackTernaryPanels(const TernaryPanels& p) {
  std::vector<std::int8_t> out(static_cast<std::size_t>(p.rows) * p.cols);
  for (int n = 0; n < p.rows; ++n)
    for (int k = 0; k < p.cols; ++k) out[static_cast<std::size_t>(n) * p.cols + k] = p.at(n, k);
  return out;
}

}  // namespace ternlab::kernels
