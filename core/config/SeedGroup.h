#pragma once
#include <string>

namespace ternlab::config {

// Which runs repeat one experiment: the key is the same for two run configs exactly when they differ
// only in the seed, the name, the thread count or the logging interval (nothing else changes a result's
// distribution). Pipelines compare stage by stage. A text that is not a JSON object keys by its own text.
std::string seedGroupKey(const std::string& configJson);

// 64-bit FNV-1a of a config text as 16 hex digits: the store's config_hash, and the seed group key's hash.
std::string configHash(const std::string& text);

}  // namespace ternlab::config
