#include "io/Deflate.h"

#include <zlib.h>

#include <limits>

namespace ternlab::io {

std::string deflateText(const std::string& text) {
  if (text.size() > std::numeric_limits<uLong>::max() / 2) throw std::runtime_error("block too large to deflate");
  uLongf size = compressBound(static_cast<uLong>(text.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(text.data()),
                static_cast<uLong>(text.size()), Z_BEST_COMPRESSION) != Z_OK)
    throw std::runtime_error("zlib could not deflate the block");
  out.resize(size);
  return out;
}

std::string inflateText(const std::string& stream, std::size_t maxBytes) {
  if (stream.size() > std::numeric_limits<uInt>::max()) throw std::runtime_error("deflated block too large");
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) throw std::runtime_error("cannot initialise zlib");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stream.data()));
  zs.avail_in = static_cast<uInt>(stream.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > maxBytes) {
      inflateEnd(&zs);
      throw std::runtime_error("inflates to more than " + std::to_string(maxBytes) + " bytes");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) break;  // input ended before the stream did
  }
  const bool complete = rc == Z_STREAM_END && zs.avail_in == 0;
  const std::string why = rc == Z_STREAM_END ? "has bytes after its end" : (zs.msg ? zs.msg : "is incomplete");
  inflateEnd(&zs);
  if (!complete) throw std::runtime_error("damaged deflate stream (" + why + ")");
  return out;
}

}  // namespace ternlab::io
