#include "config/SeedGroup.h"

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace ternlab::config {

namespace {

// Keys of an experiment document (and of each stage) that a repetition may change.
void dropRepetitionKeys(nlohmann::json& doc) {
  for (const char* k : {"seed", "threads", "log_interval"}) doc.erase(k);
}

}  // namespace

std::string configHash(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a, 64 bit
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string seedGroupKey(const std::string& configJson) {
  auto doc = nlohmann::json::parse(configJson, nullptr, false);
  if (!doc.is_object()) return configHash(configJson);
  doc.erase("name");
  dropRepetitionKeys(doc);
  if (auto it = doc.find("stages"); it != doc.end() && it->is_array())
    for (auto& stage : *it)
      if (stage.is_object()) dropRepetitionKeys(stage);
  return configHash(doc.dump());  // nlohmann's objects are sorted by key: the dump is canonical
}

}  // namespace ternlab::config
