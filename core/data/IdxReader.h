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

// Reads an IDX file (raw or gzip) of unsigned bytes; checks magic, rank and exact size.
IdxArray readIdx(const std::string& path, int expectedRank);

}  // namespace ternlab::data
