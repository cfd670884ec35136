#pragma once
// Plain-pointer argument blocks handed from the generic drivers to the per-ISA translation
// units. Deliberately free of std:: types so SIMD files instantiate nothing that could be
// shared (and picked by the linker) with the portable path.
#include <cstddef>
#include <cstdint>

namespace ternlab::kernels::detail {

// Output channels per weight panel (SIMD lanes), for every packed weight format.
inline constexpr int kPanelRows = 16;
// Activation rows per work item: a work item is (weight panel, block of kMBlock rows).
inline constexpr int kMBlock = 64;
// Activation rows are padded to this multiple so row tiles can always read whole tiles.
inline constexpr int kRowAlign = 8;

// Ternary x ternary (2-popcount, docs/ARCHITECTURE.md) over bitplanes.
struct TernaryGemmArgs {
  const std::uint64_t* xm;      // activation nonzero plane, row-major, xStride words per row
  const std::uint64_t* xs;      // activation sign plane
  std::size_t xStride;
  int M;
  const std::uint64_t* panels;  // weight panels: [panel][word][m lanes 16 | s lanes 16]
  int N;
  int words;
  const std::int32_t* colAdd;   // optional per-output-channel addend (nullptr = none)
  std::int32_t* C;              // row-major M x N (ldc)
  std::size_t ldc;
  // Gathered activations (bitConv): when gm is set, word w of row m is the 8 bytes at
  // gm + rowBase[m] + wordOff[w] (gs for the sign plane), and xm / xs / xStride are unused.
  const std::uint8_t* gm = nullptr;
  const std::uint8_t* gs = nullptr;
  const std::size_t* rowBase = nullptr;
  const std::uint32_t* wordOff = nullptr;
};

// Conventional 2-bit (4-popcount) over two magnitude planes, values u = code + 1.
struct TwoBitGemmArgs {
  const std::uint64_t* xh;      // activation bit 1 plane
  const std::uint64_t* xl;      // activation bit 0 plane
  std::size_t xStride;
  int M;
  const std::uint64_t* panels;  // [panel][word][hi lanes 16 | lo lanes 16]
  int N;
  int words;
  const std::int32_t* sumX;     // per activation row: sum of u
  const std::int32_t* sumW;     // per weight row: sum of u
  int K;                        // true reduction length (for the offset correction)
  std::int32_t* C;
  std::size_t ldc;
};

// Ternary weights x int8 activations (u8 = x + 128 against s8 weights, vpdpbusd form).
struct Int8GemmArgs {
  const std::uint8_t* x;        // activation rows, biased by +128, xStride bytes per row
  std::size_t xStride;
  int M;
  const std::int8_t* panels;    // [panel][k/4][16 lanes][4 bytes]
  int N;
  int groups;                   // K padded to a multiple of 4, divided by 4
  const std::int32_t* sumW;     // per weight row: sum of w (removes the +128 bias)
  std::int32_t* C;
  std::size_t ldc;
};

inline std::size_t panelCount(int N) { return static_cast<std::size_t>((N + kPanelRows - 1) / kPanelRows); }
inline std::size_t mBlockCount(int M) { return static_cast<std::size_t>((M + kMBlock - 1) / kMBlock); }
inline std::size_t workItems(int M, int N) { return panelCount(N) * mBlockCount(M); }

// Per-ISA tile loops over work items [begin, end); item = panel * mBlocks + mBlock.
void ternaryItemsPortable(const TernaryGemmArgs&, std::size_t begin, std::size_t end);
void ternaryItemsAvx2(const TernaryGemmArgs&, std::size_t begin, std::size_t end);
void ternaryItemsAvx512(const TernaryGemmArgs&, std::size_t begin, std::size_t end);
void twoBitItemsPortable(const TwoBitGemmArgs&, std::size_t begin, std::size_t end);
void twoBitItemsAvx2(const TwoBitGemmArgs&, std::size_t begin, std::size_t end);
void twoBitItemsAvx512(const TwoBitGemmArgs&, std::size_t begin, std::size_t end);
void int8ItemsPortable(const Int8GemmArgs&, std::size_t begin, std::size_t end);
void int8ItemsAvx2(const Int8GemmArgs&, std::size_t begin, std::size_t end);
void int8ItemsAvx512Vnni(const Int8GemmArgs&, std::size_t begin, std::size_t end);

}  // namespace ternlab::kernels::detail
