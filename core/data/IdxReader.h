#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ternlab::data {

// An IDX array (the MNIST family's file format): unsigned bytes plus their dimensions.
struct IdxArray {
  std::vector<std::int64_t> dims;
  std::vector<std::uint8_t> values;
};

// The largest IDX content read (Fashion-MNIST's training images are 47 MB).
inline constexpr std::size_t kMaxIdxBytes = std::size_t(4) << 30;

// Reads an IDX file (raw or gzip) of unsigned bytes; checks magic, rank and exact size.
IdxArray readIdx(const std::string& path, int expectedRank);

}  // namespace ternlab::data
