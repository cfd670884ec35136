#include "kernels/PackedInt8.h"

#include <stdexcept>

namespace ternlab::kernels {

Int8Rows packInt8Rows(const std::int8_t* x, int rows, int cols) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("Int8Rows: negative shape");
  Int8Rows t;
  t.rows = rows;
  t.cols = cols;
  t.groups = (cols + 3) / 4;
  t.paddedRows = alignRows(rows);
  t.data.assign(static_cast<std::size_t>(t.paddedRows) * t.stride(), 128);
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < cols; ++k)
      t.data[r * t.stride() + k] = static_cast<std::uint8_t>(x[static_cast<std::size_t>(r) * cols + k] + 128);
  return t;
}

std::vector<std::int8_t> unpackInt8Rows(const Int8Rows& t) {
  std::vector<std::int8_t> out(static_cast<std::size_t>(t.rows) * t.cols);
  for (int r = 0; r < t.rows; ++r)
    for (int k = 0; k < t.cols; ++k)
      out[static_cast<std::size_t>(r) * t.cols + k] = static_cast<std::int8_t>(t.data[r * t.stride() + k] - 128);
  return out;
}

Int8Panels packInt8Panels(const std::int8_t* codes, int rows, int cols) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("Int8Panels: negative shape");
  Int8Panels p;
  p.rows = rows;
  p.cols = cols;
  p.groups = (cols + 3) / 4;
  p.panels = (rows + kPanelRows - 1) / kPanelRows;
  p.data.assign(static_cast<std::size_t>(p.panels) * p.groups * 4 * kPanelRows, 0);
  p.sum.assign(static_cast<std::size_t>(p.panels) * kPanelRows, 0);
  for (int n = 0; n < rows; ++n)
    for (int k = 0; k < cols; ++k) {
      const std::int8_t c = codes[static_cast<std::size_t>(n) * cols + k];
      if (c < -1 || c > 1) throw std::invalid_argument("Int8Panels: weights must be ternary");
      const std::size_t idx =
          ((static_cast<std::size_t>(n / kPanelRows) * p.groups + k / 4) * kPanelRows + n % kPanelRows) * 4 + k % 4;
      p.data[idx] = c;
      p.sum[n] += c;
    }
  return p;
}

}  // namespace ternlab::kernels
