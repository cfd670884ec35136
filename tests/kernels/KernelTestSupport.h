#pragma once
// Shared helpers for the kernel tests: seeded random codes, an independent naive product, and
// the list of ISA paths to exercise.
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/Isa.h"

namespace ternlab::kernels::test {

inline std::vector<std::int8_t> randomCodes(std::size_t n, int lo, int hi, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<std::int8_t> v(n);
  for (auto& c : v) c = static_cast<std::int8_t>(d(rng));
  return v;
}

// Independent of the library: C[m][n] = sum_k x[m][k] w[n][k].
inline std::vector<std::int32_t> naiveProduct(const std::vector<std::int8_t>& x, const std::vector<std::int8_t>& w,
                                             int M, int N, int K) {
  std::vector<std::int32_t> c(static_cast<std::size_t>(M) * N, 0);
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      std::int32_t acc = 0;
      for (int k = 0; k < K; ++k) acc += x[static_cast<std::size_t>(m) * K + k] * w[static_cast<std::size_t>(n) * K + k];
      c[static_cast<std::size_t>(m) * N + n] = acc;
    }
  return c;
}

// Every path the CPU supports (reference and portable always included).
inline std::vector<Isa> isasUnderTest() { return availableIsas(); }

struct GemmShape {
  int M, N, K;
};

// Small/odd shapes: K not a multiple of 64, tiny M/N, partial tiles and panels.
inline std::vector<GemmShape> gemmShapes() {
  std::vector<GemmShape> out;
  for (int M : {1, 3, 17, 70})
    for (int N : {1, 3, 17, 33})
      for (int K : {1, 63, 64, 65, 200}) out.push_back({M, N, K});
  out.push_back({130, 40, 1152});
  out.push_back({9, 70, 4608});
  out.push_back({257, 129, 577});
  return out;
}

}  // namespace ternlab::kernels::test
