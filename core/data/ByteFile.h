#pragma once
#include <zlib.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ternlab::data {

// A dataset file read front to back, inflated on the fly when it starts with the gzip magic, so a
// reader can take its header first and inflate no more than that header promises (a small hostile
// file cannot inflate into gigabytes).
class MaybeGzipFile {
 public:
  // Reads the file (a regular file of at most maxRawBytes) into memory; throws DataError.
  MaybeGzipFile(const std::string& path, std::size_t maxRawBytes);
  ~MaybeGzipFile();
  MaybeGzipFile(const MaybeGzipFile&) = delete;
  MaybeGzipFile& operator=(const MaybeGzipFile&) = delete;

  // Appends up to n more bytes of content to out; returns how many (fewer only at the end).
  std::size_t read(std::vector<std::uint8_t>& out, std::size_t n);
  bool atEnd();  // no content byte is left
  bool gzip() const { return gzip_; }
  std::size_t rawSize() const { return raw_.size(); }
  // The most a deflate stream of this file's size can inflate to (deflate's ratio is at most 1032:1).
  std::size_t maxInflatedSize() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_, raw_;
  bool gzip_ = false, ended_ = false;
  std::size_t rawPos_ = 0;
  std::unique_ptr<z_stream> zs_;
  std::vector<std::uint8_t> pending_;  // inflated but not yet handed out
  std::size_t pendingPos_ = 0;
  void inflateMore();
};

// The whole content of a dataset file (inflated when gzip), refusing more than maxBytes of content;
// what names the format for the message ("CIFAR-10 batch").
std::vector<std::uint8_t> readMaybeGzipped(const std::string& path, std::size_t maxBytes, const char* what);

}  // namespace ternlab::data
