#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ternlab::data {

// Reads a whole file, transparently gunzipping it when it starts with the gzip magic.
std::vector<std::uint8_t> readMaybeGzipped(const std::string& path);

}  // namespace ternlab::data
