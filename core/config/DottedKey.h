#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace ternlab::config {

// Sets doc["a"]["b"]["c"] for the dotted key "a.b.c", creating objects on the way: the one way sweeps
// and `run --set` address a key of an experiment document.
void setDotted(nlohmann::json& doc, const std::string& dotted, const nlohmann::json& value);

// Parses the text of a command-line value as JSON (numbers, true/false, arrays) or else takes it as a string.
nlohmann::json parseLooseValue(const std::string& text);

// One `--set KEY=VALUE` on doc; throws ConfigError naming file and the key.
void applySetOverride(nlohmann::json& doc, const std::string& keyEqualsValue, const std::string& file);

}  // namespace ternlab::config
