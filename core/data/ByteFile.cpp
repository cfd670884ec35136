#include "data/ByteFile.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "data/DataError.h"

namespace ternlab::data {

namespace {
bool isGzip(const std::vector<std::uint8_t>& raw) {
  return raw.size() >= 2 && raw[0] == 0x1f && raw[1] == 0x8b;
}

std::vector<std::uint8_t> gunzip(const std::string& path, const std::vector<std::uint8_t>& raw) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) throw DataError(path, "cannot initialise zlib");
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> chunk(1 << 20);
  zs.next_in = const_cast<Bytef*>(raw.data());
  zs.avail_in = static_cast<uInt>(raw.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = chunk.data();
    zs.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      throw DataError(path, rc == Z_BUF_ERROR ? "gzip stream is truncated"
                                              : std::string("corrupt gzip data (") + (zs.msg ? zs.msg : "zlib error") + ")");
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + (chunk.size() - zs.avail_out));
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      throw DataError(path, "gzip stream is truncated");
    }
  }
  inflateEnd(&zs);
  return out;
}
}  // namespace

std::vector<std::uint8_t> readMaybeGzipped(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw DataError(path, "file not found");
  if (fs::is_directory(path, ec)) throw DataError(path, "is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path, "cannot open for reading");
  std::vector<std::uint8_t> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (raw.empty()) throw DataError(path, "file is empty");
  return isGzip(raw) ? gunzip(path, raw) : raw;
}

}  // namespace ternlab::data
