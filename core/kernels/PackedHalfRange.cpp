#include "kernels/PackedHalfRange.h"

#include <stdexcept>

namespace ternlab::kernels {

TernaryRows packHalfRangeRows(const std::uint8_t* codes, int rows, int cols) {
  TernaryRows t;
  t.reset(rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < cols; ++k) {
      const int x = codes[static_cast<std::size_t>(r) * cols + k];
      if (x > 2) throw std::invalid_argument("half-range code out of {0,1,2}");
      setTernary(t, r, k, x - 1);
    }
  return t;
}

std::vector<std::uint8_t> unpackHalfRangeRows(const TernaryRows& t) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(t.rows) * t.cols);
  for (int r = 0; r < t.rows; ++r)
    for (int k = 0; k < t.cols; ++k)
      out[static_cast<std::size_t>(r) * t.cols + k] = static_cast<std::uint8_t>(t.at(r, k) + 1);
  return out;
}

}  // namespace ternlab::kernels
