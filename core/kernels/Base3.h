#pragma once
// Dense base-3 storage for files: 5 trits per byte (3^5 = 243 <= 256, 1.6 bits per weight).
// byte = sum_j (t_j + 1) * 3^j for the 5 codes t_0..t_4; a short tail is padded with t = 0.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ternlab::kernels {

inline constexpr int kTritsPerByte = 5;
inline std::size_t base3Bytes(std::size_t n) { return (n + kTritsPerByte - 1) / kTritsPerByte; }

// Codes in {-1, 0, 1}; throws std::invalid_argument otherwise.
std::vector<std::uint8_t> encodeBase3(const std::int8_t* codes, std::size_t n);
// Decodes n codes from base3Bytes(n) bytes; throws std::invalid_argument on a byte >= 243.
void decodeBase3(const std::uint8_t* bytes, std::size_t n, std::int8_t* codes);

}  // namespace ternlab::kernels
