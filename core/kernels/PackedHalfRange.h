#pragma once
// {0,1,2} ("half-range", FATNN) activations against ternary weights. Stored as the ternary
// y = x - 1 in the ordinary bitplanes, so the product keeps the 2-popcount cost:
// x.w = y.w + sum_k w  (the per-channel sum comes from TernaryPanels::rowSum).
#include <cstdint>
#include <vector>

#include "kernels/PackedTernary.h"

namespace ternlab::kernels {

// Codes in {0, 1, 2}; throws std::invalid_argument otherwise.
TernaryRows packHalfRangeRows(const std::uint8_t* codes, int rows, int cols);
std::vector<std::uint8_t> unpackHalfRangeRows(const TernaryRows& packed);

}  // namespace ternlab::kernels
