#pragma once
// Plain-pointer arguments of one image of kernels/DirectConv.h, for the per-ISA translation units.
#include <cstddef>

namespace ternlab::kernels::detail {

// xp: the image zero-padded on every side (C x hp x wp); w: [kh][kw][c][outPad]; y: oh x ow x outC.
struct DirectConvArgs {
  const float* xp = nullptr;
  int c = 0, hp = 0, wp = 0;
  int kernel = 1, stride = 1;
  int oh = 0, ow = 0, outC = 0, outPad = 0;
  const float* w = nullptr;
  float* y = nullptr;
};

// Floats of zero slack the padded image needs past its end (full-vector reads of the last pixel blocks).
constexpr int kDirectSlack = 64;

void directConvPortable(const DirectConvArgs& a);
void directConvAvx2(const DirectConvArgs& a);
void directConvAvx512(const DirectConvArgs& a);

}  // namespace ternlab::kernels::detail
