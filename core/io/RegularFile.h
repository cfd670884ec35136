#pragma once
// Reading input files safely: only regular files (never a directory, device or FIFO), never more
// bytes than the format can need.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace ternlab::io {

// Why a file could not be read; callers re-raise it as their own error type with the same text.
class FileError : public std::runtime_error {
 public:
  FileError(const std::string& file, const std::string& detail)
      : std::runtime_error(file + ": " + detail), file_(file), detail_(detail) {}
  const std::string& file() const { return file_; }
  const std::string& detail() const { return detail_; }

 private:
  std::string file_, detail_;
};

// The whole file. Opens without blocking (a FIFO is refused, not waited on), checks that it is a
// regular file and holds at most maxBytes, then reads it; every fault is a FileError naming the file.
std::string readRegularFile(const std::string& path, std::size_t maxBytes, const char* what);

// "a FIFO", "a directory", "a character device", …: what path is when it exists and is not a regular
// file; empty for a regular file or no file.
std::string nonRegularKind(const std::string& path);

// "1.5 GiB", "64 MiB", "512 bytes": sizes in messages.
std::string byteSize(std::size_t bytes);

}  // namespace ternlab::io
