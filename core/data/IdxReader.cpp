#include "data/IdxReader.h"

#include "data/ByteFile.h"
#include "data/DataError.h"
#include "io/RegularFile.h"

namespace ternlab::data {

namespace {
std::uint32_t bigEndian32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
}  // namespace

IdxArray readIdx(const std::string& path, int expectedRank) {
  MaybeGzipFile file(path, kMaxIdxBytes);
  std::vector<std::uint8_t> header;
  file.read(header, 4);
  if (header.size() < 4) throw DataError(path, "too short for an IDX header (" + std::to_string(header.size()) + " bytes)");
  // Magic: two zero bytes, a type code (0x08 = unsigned byte) and the rank.
  if (header[0] != 0 || header[1] != 0) throw DataError(path, "wrong magic number: not an IDX file");
  if (header[2] != 0x08)
    throw DataError(path, "unsupported IDX element type 0x" + std::to_string(header[2]) + " (expected 0x08, unsigned byte)");
  const int rank = header[3];
  if (rank != expectedRank)
    throw DataError(path, "wrong magic number: rank " + std::to_string(rank) + ", expected " + std::to_string(expectedRank));
  const std::size_t headerBytes = 4 + 4 * static_cast<std::size_t>(rank);
  if (file.read(header, headerBytes - 4) != headerBytes - 4) throw DataError(path, "truncated IDX header");
  IdxArray out;
  std::size_t count = 1;
  for (int d = 0; d < rank; ++d) {
    const auto n = bigEndian32(header.data() + 4 + 4 * d);
    if (n == 0) throw DataError(path, "dimension " + std::to_string(d) + " is zero");
    out.dims.push_back(n);
    // Checked before multiplying: the product of up to three 32-bit sizes must not wrap.
    if (count > kMaxIdxBytes / n)
      throw DataError(path, "dimensions promise more than the " + io::byteSize(kMaxIdxBytes) + " an IDX file may hold");
    count *= n;
  }
  // Inflate no more than the header promises: a gzip file promising more than its size can hold is refused
  // before anything is inflated, and a stream longer than the promise stops one byte past it.
  if (file.gzip() && count > file.maxInflatedSize() - headerBytes)
    throw DataError(path, "header promises " + std::to_string(count) + " bytes of data, more than a gzip stream of " +
                              std::to_string(file.rawSize()) + " bytes can inflate to");
  if (!file.gzip() && file.rawSize() - headerBytes != count) {
    const std::size_t payload = file.rawSize() - headerBytes;
    throw DataError(path, "wrong size: header promises " + std::to_string(count) + " bytes of data, file has " +
                              std::to_string(payload) + (payload < count ? " (truncated)" : " (trailing bytes)"));
  }
  out.values.reserve(count);
  const std::size_t payload = file.read(out.values, count);
  if (payload < count)
    throw DataError(path, "wrong size: header promises " + std::to_string(count) + " bytes of data, file has " +
                              std::to_string(payload) + " (truncated)");
  if (!file.atEnd())
    throw DataError(path, "wrong size: header promises " + std::to_string(count) +
                              " bytes of data, the file holds more (trailing bytes)");
  return out;
}

}  // namespace ternlab::data
