#include "kernels/Base3.h"

#include <stdexcept>

namespace ternlab::kernels {

std::vector<std::uint8_t> encodeBase3(const std::int8_t* codes, std::size_t n) {
  std::vector<std::uint8_t> out(base3Bytes(n));
  for (std::size_t b = 0; b < out.size(); ++b) {
    int value = 0;
    for (int j = kTritsPerByte - 1; j >= 0; --j) {
      const std::size_t i = b * kTritsPerByte + j;
      const int t = i < n ? codes[i] : 0;
      if (t < -1 || t > 1) throw std::invalid_argument("base-3: code out of {-1,0,1}");
      value = value * 3 + (t + 1);
    }
    out[b] = static_cast<std::uint8_t>(value);
  }
  return out;
}

void decodeBase3(const std::uint8_t* bytes, std::size_t n, std::int8_t* codes) {
  for (std::size_t b = 0; b < base3Bytes(n); ++b) {
    int value = bytes[b];
    if (value >= 243) throw std::invalid_argument("base-3: byte >= 243");
    for (int j = 0; j < kTritsPerByte; ++j) {
      const std::size_t i = b * kTritsPerByte + j;
      if (i < n) codes[i] = static_cast<std::int8_t>(value % 3 - 1);
      value /= 3;
    }
  }
}

}  // namespace ternlab::kernels
