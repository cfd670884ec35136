#pragma once
#include <ATen/Parallel.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace ternlab::quant {

// Parallel reductions for the fused quantizer passes whose result must not depend on the thread count:
// body(begin, end, partial) runs over fixed chunks of [0, n), and the chunk partials are summed in chunk order.
// Include it only from files built with OpenMP (core/CMakeLists.txt): elsewhere at::parallel_for runs serially.
template <std::size_t K, class Body>
std::array<double, K> chunkedSums(std::int64_t n, Body body) {
  constexpr std::int64_t kChunk = 1 << 15;
  const std::int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<std::array<double, K>> partial(static_cast<std::size_t>(chunks), std::array<double, K>{});
  at::parallel_for(0, chunks, 1, [&](std::int64_t c0, std::int64_t c1) {
    for (std::int64_t c = c0; c < c1; ++c)
      body(c * kChunk, std::min(n, (c + 1) * kChunk), partial[static_cast<std::size_t>(c)]);
  });
  std::array<double, K> total{};
  for (const auto& p : partial)
    for (std::size_t k = 0; k < K; ++k) total[k] += p[k];
  return total;
}

// The block loops are compiled three times on x86-64 (GCC function multiversioning): for AVX-512F, for AVX2 and
// for the baseline, chosen by CPU feature once when the program loads. (An "arch=haswell" clone would be chosen
// only on Intel Haswell CPUs: GCC's resolver tests the CPU model for arch= clones, not its features.)
// The files are built with -ffp-contract=off, so no clone fuses a product and a sum the unfused ops round
// separately. Sums within a block depend on the vector width, so a result may differ in the last bits between
// CPUs of different vector widths; never between thread counts.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TERNLAB_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TERNLAB_VECTOR_CLONES
#endif

// Elements per inner block: a block is summed in its own type by a vectorised loop, blocks in double.
constexpr std::int64_t kSumBlock = 1024;

// Applies block(begin, length, partial) over [0, n) in kSumBlock pieces, in parallel; returns the ordered sum.
template <std::size_t K, class Block>
std::array<double, K> blockSums(std::int64_t n, Block block) {
  return chunkedSums<K>(n, [&](std::int64_t b, std::int64_t e, std::array<double, K>& acc) {
    for (std::int64_t b0 = b; b0 < e; b0 += kSumBlock) block(b0, std::min(e, b0 + kSumBlock) - b0, acc);
  });
}

// Round half to even for |v| < 2^22 (float) or 2^51 (double) — the codes of a few quantization levels — written
// so that the block loops vectorise: adding and subtracting 1.5·2^23 (1.5·2^52) leaves the value rounded in the
// current (default: to nearest even) mode, where std::nearbyint is a library call per element on baseline x86-64.
template <class T>
inline T roundHalfEven(T v) {
  constexpr T magic = sizeof(T) == 4 ? T(12582912.0) : T(6755399441055744.0);
  return (v + magic) - magic;
}

}  // namespace ternlab::quant
