#include "kernels/BitMap.h"

#include <cstring>
#include <stdexcept>

#include "kernels/Parallel.h"

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

namespace {

// Images [n0, n1) of maxPoolBits.
void maxPoolBitImages(const BitMap& in, int k, BitMap& out, int n0, int n1) {
  const int bytes = in.pixBytes;
  if (bytes == 2) {  // up to 16 channels: one 16-bit group per pixel
    auto ld = [](const std::uint8_t* p) {
      std::uint16_t v;
      std::memcpy(&v, p, 2);
      return v;
    };
    for (int n = n0; n < n1; ++n)
      for (int oy = 0; oy < out.height; ++oy)
        for (int ox = 0; ox < out.width; ++ox) {
          std::uint16_t pos = 0, all = 0xFFFF;
          for (int dy = 0; dy < k; ++dy) {
            const std::size_t row = in.offset(n, oy * k + dy, ox * k);
            for (int dx = 0; dx < k; ++dx) {
              const std::uint16_t m = ld(in.m.data() + row + 2 * dx), s = ld(in.s.data() + row + 2 * dx);
              pos |= static_cast<std::uint16_t>(m & ~s);
              all &= s;
            }
          }
          const std::size_t o = out.offset(n, oy, ox);
          const auto m = static_cast<std::uint16_t>(pos | all);
          std::memcpy(out.m.data() + o, &m, 2);
          std::memcpy(out.s.data() + o, &all, 2);
        }
    return;
  }
  for (int n = n0; n < n1; ++n)
    for (int oy = 0; oy < out.height; ++oy)
      for (int ox = 0; ox < out.width; ++ox) {
        const std::size_t o = out.offset(n, oy, ox);
        for (int b0 = 0; b0 < bytes; b0 += 8) {  // pixBytes is even: whole 16-bit groups, up to 8 bytes a word
          const int len = bytes - b0 < 8 ? bytes - b0 : 8;
          std::uint64_t pos = 0, all = ~std::uint64_t{0};
          for (int dy = 0; dy < k; ++dy)
            for (int dx = 0; dx < k; ++dx) {
              const std::size_t i = in.offset(n, oy * k + dy, ox * k + dx) + b0;
              std::uint64_t m = 0, s = 0;
              std::memcpy(&m, in.m.data() + i, len);
              std::memcpy(&s, in.s.data() + i, len);
              pos |= m & ~s;
              all &= s;
            }
          const std::uint64_t m = pos | all;
          std::memcpy(out.m.data() + o + b0, &m, len);
          std::memcpy(out.s.data() + o + b0, &all, len);
        }
      }
}

}  // namespace

void maxPoolBits(const BitMap& in, int k, BitMap& out, int threads) {
  if (k < 1 || out.batch != in.batch || out.channels != in.channels || out.height != in.height / k ||
      out.width != in.width / k)
    throw std::invalid_argument("maxPoolBits: output map does not match the pooled input");
  parallelFor(static_cast<std::size_t>(in.batch), threads, [&](std::size_t n0, std::size_t n1) {
    maxPoolBitImages(in, k, out, static_cast<int>(n0), static_cast<int>(n1));
  });
}

int BitMap::at(int n, int c, int y, int x) const {
  const std::size_t byte = offset(n, y, x) + static_cast<std::size_t>(c >> 3);
  const int bit = c & 7;
  if (!((m[byte] >> bit) & 1)) return 0;
  return ((s[byte] >> bit) & 1) ? -1 : 1;
}

}  // namespace ternlab::kernels
