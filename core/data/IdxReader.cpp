#include "data/IdxReader.h"

#include "data/ByteFile.h"
#include "data/DataError.h"

namespace ternlab::data {

namespace {
std::uint32_t bigEndian32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
}  // namespace

IdxArray readIdx(const std::string& path, int expectedRank) {
  const auto bytes = readMaybeGzipped(path);
  if (bytes.size() < 4) throw DataError(path, "too short for an IDX header (" + std::to_string(bytes.size()) + " bytes)");
  // Magic: two zero bytes, a type code (0x08 = unsigned byte) and the rank.
  if (bytes[0] != 0 || bytes[1] != 0)
    throw DataError(path, "wrong magic number: not an IDX file");
  if (bytes[2] != 0x08)
    throw DataError(path, "unsupported IDX element type 0x" + std::to_string(bytes[2]) + " (expected 0x08, unsigned byte)");
  const int rank = bytes[3];
  if (rank != expectedRank)
    throw DataError(path, "wrong magic number: rank " + std::to_string(rank) + ", expected " + std::to_string(expectedRank));
  const std::size_t header = 4 + 4 * static_cast<std::size_t>(rank);
  if (bytes.size() < header) throw DataError(path, "truncated IDX header");
  IdxArray out;
  std::size_t count = 1;
  for (int d = 0; d < rank; ++d) {
    const auto n = bigEndian32(bytes.data() + 4 + 4 * d);
    if (n == 0) throw DataError(path, "dimension " + std::to_string(d) + " is zero");
    out.dims.push_back(n);
    count *= n;
  }
  const std::size_t payload = bytes.size() - header;
  if (payload != count)
    throw DataError(path, "wrong size: header promises " + std::to_string(count) + " bytes of data, file has " +
                              std::to_string(payload) + (payload < count ? " (truncated)" : " (trailing bytes)"));
  out.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return out;
}

}  // namespace ternlab::data
