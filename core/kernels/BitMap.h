#pragma once
// The engine's packed activation map: ternary codes NHWC on bits with a border of `pad` pixels, so a
// convolution reads every tap of a kernel row as one contiguous run of bytes (no bounds checks, no
// per-tap shifts). Each pixel holds its C codes in `pixBytes` bytes per plane (C rounded up to 16 bits);
// m = nonzero, s = negative, as in PackedTernary.h. Bits past C are don't-care: the weights are zero there.
#include <cstddef>
#include <cstdint>

#include "kernels/AlignedBuffer.h"

namespace ternlab::kernels {

// What the border pixels hold: code 0 (signed codes, torch pads x = 0) or the stored y = -1 of
// {0,1,2} codes kept as y = x - 1 (x = 0 in the padding, so the GEMM needs no border correction).
enum class BitBorder { Zero, MinusOne };

// Bordered NHWC bitplanes; exists so producers write the next layer's codes once and consumers gather
// kernel rows with plain 64-bit loads.
struct BitMap {
  int batch = 0, height = 0, width = 0, channels = 0, pad = 0;
  int pixBytes = 0;  // bytes per pixel per plane: 2 * ceil(channels / 16)
  BitBorder border = BitBorder::Zero;
  AlignedVec<std::uint8_t> m, s;  // (batch, height + 2 pad, width + 2 pad, pixBytes), 8 bytes of slack

  // Sets the shape; (re)fills the border only when the shape or the border changed. The interior is
  // left to the producer, which writes every pixel.
  void reset(int batch, int height, int width, int channels, int pad, BitBorder border);
  std::size_t rowBytes() const { return static_cast<std::size_t>(width + 2 * pad) * pixBytes; }
  std::size_t imageBytes() const { return static_cast<std::size_t>(height + 2 * pad) * rowBytes(); }
  // Byte offset of interior pixel (n, y, x) in either plane.
  std::size_t offset(int n, int y, int x) const {
    return n * imageBytes() + static_cast<std::size_t>(y + pad) * rowBytes() + static_cast<std::size_t>(x + pad) * pixBytes;
  }
  // Stored code of channel c at interior pixel (n, y, x): -1, 0 or +1.
  int at(int n, int c, int y, int x) const;
};

inline int bitMapPixBytes(int channels) { return 2 * ((channels + 15) / 16); }

// k x k max pooling, stride k (floor), on codes: out = max of the window's codes, channel by channel. A code
// is a non-decreasing function of the value it quantizes, so pooling the codes gives the codes of the pooled
// floats exactly. In bits: s = AND of s (all −1), m = OR of (m AND NOT s) (some +1) OR s. `out` must have in's
// batch and channels and its interior must be in.height / k x in.width / k; its border is left alone.
// Images are split over `threads`.
void maxPoolBits(const BitMap& in, int k, BitMap& out, int threads = 1);

}  // namespace ternlab::kernels
