#pragma once
// zlib's deflate for small in-file blocks (the .tnn manifest): one call each way, with the inflated size bounded
// so that a hostile file cannot make the reader allocate without limit.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace ternlab::io {

// A zlib stream (RFC 1950) of `text` at the best compression.
std::string deflateText(const std::string& text);
// The bytes of one complete zlib stream; throws std::runtime_error when the stream is damaged, incomplete,
// followed by other bytes, or inflates to more than maxBytes.
std::string inflateText(const std::string& stream, std::size_t maxBytes);

}  // namespace ternlab::io
