#pragma once
// The kernels' entry points per ISA path, one row per kernel: every dispatcher picks its function here, so a new
// kernel (or a new path of one) is one row, and a row without a function on some path does not compile.
#include <cstddef>
#include <cstdint>

#include "kernels/Isa.h"
#include "kernels/detail/EpilogueArgs.h"
#include "kernels/detail/GemmArgs.h"

namespace ternlab::kernels::detail {

// One kernel's functions: the portable loop (also what Isa::Reference runs), AVX2 and AVX-512.
template <class Fn>
struct PerIsa {
  Fn portable, avx2, avx512;
  constexpr Fn at(Isa isa) const { return isa == Isa::Avx512 ? avx512 : isa == Isa::Avx2 ? avx2 : portable; }
  constexpr bool complete() const { return portable && avx2 && avx512; }
};

using TernaryItemsFn = void (*)(const TernaryGemmArgs&, std::size_t, std::size_t);
using TwoBitItemsFn = void (*)(const TwoBitGemmArgs&, std::size_t, std::size_t);
using Int8ItemsFn = void (*)(const Int8GemmArgs&, std::size_t, std::size_t);
using EpilogueI32Fn = void (*)(const EpilogueArgs&, const std::int32_t*, std::size_t, int, int);
using EpilogueF32Fn = void (*)(const EpilogueArgs&, const float*, std::size_t, int, int);

inline constexpr PerIsa<TernaryItemsFn> kTernaryItems{&ternaryItemsPortable, &ternaryItemsAvx2, &ternaryItemsAvx512};
inline constexpr PerIsa<TwoBitItemsFn> kTwoBitItems{&twoBitItemsPortable, &twoBitItemsAvx2, &twoBitItemsAvx512};
// The AVX-512 int8 tile needs VNNI (vpdpbusd): Int8Gemm.cpp runs the AVX2 row where the CPU lacks it.
inline constexpr PerIsa<Int8ItemsFn> kInt8Items{&int8ItemsPortable, &int8ItemsAvx2, &int8ItemsAvx512Vnni};
inline constexpr PerIsa<EpilogueI32Fn> kEpilogueI32{&epilogueI32Portable, &epilogueI32Avx2, &epilogueI32Avx512};
inline constexpr PerIsa<EpilogueF32Fn> kEpilogueF32{&epilogueF32Portable, &epilogueF32Avx2, &epilogueF32Avx512};

static_assert(kTernaryItems.complete() && kTwoBitItems.complete() && kInt8Items.complete() && kEpilogueI32.complete() &&
                  kEpilogueF32.complete(),
              "every kernel row names a function for every ISA path");

}  // namespace ternlab::kernels::detail
