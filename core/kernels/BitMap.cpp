#include "kernels/BitMap.h"

#include <cstring>
#include <stdexcept>

namespace ternlab::kernels {

void BitMap::reset(int b, int h, int w, int c, int p, BitBorder bd) {
  if (b < 0 || h <= 0 || w <= 0 || c <= 0 || p < 0) throw std::invalid_argument("BitMap: bad shape");
  const bool same = b == batch && h == height && w == width && c == channels && p == pad && bd == border &&
                    !m.empty();
  batch = b, height = h, width = w, channels = c, pad = p, border = bd;
  pixBytes = bitMapPixBytes(c);
  if (same) return;
  const std::size_t bytes = static_cast<std::size_t>(b) * imageBytes() + 8;  // slack for 64-bit over-reads
  const std::uint8_t fill = bd == BitBorder::MinusOne ? 0xFF : 0x00;
  m.assign(bytes, fill);
  s.assign(bytes, fill);
}

int BitMap::at(int n, int c, int y, int x) const {
  const std::size_t byte = offset(n, y, x) + static_cast<std::size_t>(c >> 3);
  const int bit = c & 7;
  if (!((m[byte] >> bit) & 1)) return 0;
  return ((s[byte] >> bit) & 1) ? -1 : 1;
}

}  // namespace ternlab::kernels
