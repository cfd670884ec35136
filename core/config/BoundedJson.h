#pragma once
// JSON parsing with a bound on nesting depth, for every file TernLab reads.
#include <nlohmann/json.hpp>

#include <string>

namespace ternlab::config {

// Deeper than any document TernLab writes (experiment files nest 4 levels, .tnn manifests 3), far
// below what the recursive walks (dump, flatten, merge) could not survive.
inline constexpr int kMaxJsonDepth = 64;

// Parses text; throws nlohmann::json::exception for a syntax error (its message gives the byte) and
// std::invalid_argument naming the byte offset where the nesting passes kMaxJsonDepth.
nlohmann::json parseBoundedJson(const std::string& text);

// The JSON document of an experiment or sweep file: parseBoundedJson with every fault a ConfigError
// naming file.
nlohmann::json parseConfigJson(const std::string& text, const std::string& file);

}  // namespace ternlab::config
