#pragma once
// 64-bit FNV-1a over a byte range: detects truncation-free corruption (flipped bytes) in .tnn files.
#include <cstddef>
#include <cstdint>

namespace ternlab::engine {

inline std::uint64_t fnv1a64(const unsigned char* p, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace ternlab::engine
