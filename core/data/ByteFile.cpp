#include "data/ByteFile.h"

#include <algorithm>
#include <limits>

#include "data/DataError.h"
#include "io/RegularFile.h"

namespace ternlab::data {

namespace {
constexpr std::size_t kChunk = 1 << 16;
}

MaybeGzipFile::MaybeGzipFile(const std::string& path, std::size_t maxRawBytes) : path_(path) {
  try {
    raw_ = io::readRegularFile(path, maxRawBytes, "a dataset file");
  } catch (const io::FileError& e) {
    throw DataError(path, e.detail());
  }
  if (raw_.empty()) throw DataError(path, "file is empty");
  gzip_ = raw_.size() >= 2 && static_cast<unsigned char>(raw_[0]) == 0x1f && static_cast<unsigned char>(raw_[1]) == 0x8b;
  if (gzip_ && raw_.size() > std::numeric_limits<uInt>::max())  // zlib's input count is 32-bit
    throw DataError(path, "is a gzip file of " + io::byteSize(raw_.size()) + ", more than the 4 GiB read in one stream");
  if (gzip_) {
    zs_ = std::make_unique<z_stream>();
    *zs_ = z_stream{};
    if (inflateInit2(zs_.get(), 15 + 32) != Z_OK) {
      zs_.reset();
      throw DataError(path, "cannot initialise zlib");
    }
    zs_->next_in = reinterpret_cast<Bytef*>(raw_.data());
    zs_->avail_in = static_cast<uInt>(raw_.size());
  }
}

MaybeGzipFile::~MaybeGzipFile() {
  if (zs_) inflateEnd(zs_.get());
}

std::size_t MaybeGzipFile::maxInflatedSize() const { return gzip_ ? raw_.size() * 1032 + 1024 : raw_.size(); }

void MaybeGzipFile::inflateMore() {
  pending_.resize(kChunk);
  pendingPos_ = 0;
  zs_->next_out = pending_.data();
  zs_->avail_out = static_cast<uInt>(pending_.size());
  const int rc = inflate(zs_.get(), Z_NO_FLUSH);
  if (rc != Z_OK && rc != Z_STREAM_END) {
    if (rc == Z_BUF_ERROR) throw DataError(path_, "gzip stream is truncated");
    throw DataError(path_, std::string("corrupt gzip data (") + (zs_->msg ? zs_->msg : "zlib error") + ")");
  }
  pending_.resize(pending_.size() - zs_->avail_out);
  if (rc == Z_STREAM_END) ended_ = true;
  else if (zs_->avail_in == 0 && pending_.empty()) throw DataError(path_, "gzip stream is truncated");
}

std::size_t MaybeGzipFile::read(std::vector<std::uint8_t>& out, std::size_t n) {
  std::size_t got = 0;
  if (!gzip_) {
    got = std::min(n, raw_.size() - rawPos_);
    out.insert(out.end(), raw_.begin() + static_cast<std::ptrdiff_t>(rawPos_),
               raw_.begin() + static_cast<std::ptrdiff_t>(rawPos_ + got));
    rawPos_ += got;
    return got;
  }
  while (got < n) {
    if (pendingPos_ == pending_.size()) {
      if (ended_) break;
      inflateMore();
      continue;
    }
    const std::size_t take = std::min(n - got, pending_.size() - pendingPos_);
    out.insert(out.end(), pending_.begin() + static_cast<std::ptrdiff_t>(pendingPos_),
               pending_.begin() + static_cast<std::ptrdiff_t>(pendingPos_ + take));
    pendingPos_ += take;
    got += take;
  }
  return got;
}

bool MaybeGzipFile::atEnd() {
  if (!gzip_) return rawPos_ == raw_.size();
  while (pendingPos_ == pending_.size() && !ended_) inflateMore();
  return pendingPos_ == pending_.size();
}

std::vector<std::uint8_t> readMaybeGzipped(const std::string& path, std::size_t maxBytes, const char* what) {
  MaybeGzipFile f(path, maxBytes);
  std::vector<std::uint8_t> out;
  f.read(out, maxBytes);
  if (!f.atEnd())
    throw DataError(path, std::string("inflates to more than ") + io::byteSize(maxBytes) + ", more than a " + what +
                              " may hold");
  return out;
}

}  // namespace ternlab::data
