// Packed formats: exact round trips, zero padding, layout positions and invalid input.
#include <gtest/gtest.h>

#include <stdexcept>

#include "KernelTestSupport.h"
#include "kernels/Base3.h"
#include "kernels/PackedHalfRange.h"
#include "kernels/PackedInt8.h"
#include "kernels/PackedTernary.h"
#include "kernels/PackedTwoBit.h"

namespace ternlab::kernels {
namespace {

using test::randomCodes;

class PackShapes : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(PackShapes, TernaryRowsRoundTripAndZeroPadding) {
  const auto [rows, cols] = GetParam();
  const auto codes = randomCodes(static_cast<std::size_t>(rows) * cols, -1, 1, 11);
  const TernaryRows t = packTernaryRows(codes.data(), rows, cols);
  EXPECT_EQ(t.words, (cols + 63) / 64);
  EXPECT_EQ(t.paddedRows % kRowAlign, 0);
  EXPECT_EQ(unpackTernaryRows(t), codes);
  for (int r = 0; r < t.paddedRows; ++r)
    for (int w = 0; w < t.words; ++w) {
      const std::uint64_t mw = t.mRow(r)[w], sw = t.sRow(r)[w];
      EXPECT_EQ(sw & ~mw, 0u) << "sign bit without nonzero bit";
      if (r >= rows) EXPECT_EQ(mw, 0u);
      if (w == t.words - 1 && cols % 64) EXPECT_EQ(mw >> (cols % 64), 0u) << "padding bits set";
    }
}

TEST_P(PackShapes, TernaryPanelsRoundTripAndLayout) {
  const auto [rows, cols] = GetParam();
  const auto codes = randomCodes(static_cast<std::size_t>(rows) * cols, -1, 1, 12);
  const TernaryPanels p = packTernaryPanels(codes.data(), rows, cols);
  EXPECT_EQ(unpackTernaryPanels(p), codes);
  EXPECT_EQ(p.data.size(), static_cast<std::size_t>((rows + 15) / 16) * p.words * 32);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p.data.data()) % 64, 0u);
  // Layout pin: element (n, k) is bit k%64 of data[panel][word][lane] (m) and [16 + lane] (s).
  for (int n = 0; n < rows; ++n)
    for (int k = 0; k < cols; k += 7) {
      const std::size_t idx = (n / 16) * p.panelStride() + (k / 64) * 32 + n % 16;
      const int c = codes[static_cast<std::size_t>(n) * cols + k];
      EXPECT_EQ((p.data[idx] >> (k % 64)) & 1, c != 0 ? 1u : 0u);
      EXPECT_EQ((p.data[idx + 16] >> (k % 64)) & 1, c < 0 ? 1u : 0u);
    }
  int sum0 = 0;
  for (int k = 0; k < cols; ++k) sum0 += codes[k];
  if (rows > 0) EXPECT_EQ(p.rowSum[0], sum0);
}

TEST_P(PackShapes, TwoBitRoundTrip) {
  const auto [rows, cols] = GetParam();
  const auto codes = randomCodes(static_cast<std::size_t>(rows) * cols, -1, 2, 13);
  EXPECT_EQ(unpackTwoBitRows(packTwoBitRows(codes.data(), rows, cols)), codes);
  EXPECT_EQ(unpackTwoBitPanels(packTwoBitPanels(codes.data(), rows, cols)), codes);
}

TEST_P(PackShapes, HalfRangeAndInt8RoundTrip) {
  const auto [rows, cols] = GetParam();
  const auto half = randomCodes(static_cast<std::size_t>(rows) * cols, 0, 2, 14);
  const std::vector<std::uint8_t> h(half.begin(), half.end());
  EXPECT_EQ(unpackHalfRangeRows(packHalfRangeRows(h.data(), rows, cols)), h);
  const auto x = randomCodes(static_cast<std::size_t>(rows) * cols, -128, 127, 15);
  EXPECT_EQ(unpackInt8Rows(packInt8Rows(x.data(), rows, cols)), x);
}

INSTANTIATE_TEST_SUITE_P(Shapes, PackShapes,
                         ::testing::Values(std::make_pair(1, 1), std::make_pair(3, 63), std::make_pair(17, 64),
                                           std::make_pair(16, 65), std::make_pair(33, 200), std::make_pair(5, 1152)));

TEST(Packing, RejectsInvalidCodes) {
  const std::int8_t bad[2] = {0, 2};
  EXPECT_THROW(packTernaryRows(bad, 1, 2), std::invalid_argument);
  EXPECT_THROW(packTernaryPanels(bad, 1, 2), std::invalid_argument);
  const std::int8_t bad2[2] = {3, 0};
  EXPECT_THROW(packTwoBitRows(bad2, 1, 2), std::invalid_argument);
  const std::uint8_t bad3[1] = {3};
  EXPECT_THROW(packHalfRangeRows(bad3, 1, 1), std::invalid_argument);
  EXPECT_THROW(packInt8Panels(bad, 1, 2), std::invalid_argument);
}

TEST(Base3, RoundTripAllLengths) {
  for (std::size_t n : {0u, 1u, 4u, 5u, 6u, 99u, 1000u, 4097u}) {
    const auto codes = randomCodes(n, -1, 1, static_cast<std::uint32_t>(n) + 1);
    const auto bytes = encodeBase3(codes.data(), n);
    EXPECT_EQ(bytes.size(), (n + 4) / 5);
    for (auto b : bytes) EXPECT_LT(b, 243);
    std::vector<std::int8_t> back(n, 7);
    decodeBase3(bytes.data(), n, back.data());
    EXPECT_EQ(back, codes);
  }
}

TEST(Base3, KnownEncodingAndInvalidByte) {
  // byte = sum_j (t_j + 1) 3^j: {1,-1,0,0,0} -> 2 + 0*3 + 1*9 + 1*27 + 1*81 = 119.
  const std::int8_t codes[5] = {1, -1, 0, 0, 0};
  EXPECT_EQ(encodeBase3(codes, 5)[0], 119);
  const std::uint8_t bad[1] = {243};
  std::int8_t out[5];
  EXPECT_THROW(decodeBase3(bad, 5, out), std::invalid_argument);
}

}  // namespace
}  // namespace ternlab::kernels
