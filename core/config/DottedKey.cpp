#include "config/DottedKey.h"

#include <stdexcept>

#include "config/BoundedJson.h"
#include "config/ConfigError.h"

namespace ternlab::config {

void setDotted(nlohmann::json& doc, const std::string& dotted, const nlohmann::json& value) {
  nlohmann::json* node = &doc;
  std::size_t start = 0;
  while (true) {
    const auto dot = dotted.find('.', start);
    const auto key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    nlohmann::json* child = nullptr;
    if (node->is_array()) {  // "stages.1.epochs": a number indexes an existing array element
      if (key.empty() || key.size() > 9 || key.find_first_not_of("0123456789") != std::string::npos ||
          std::stoul(key) >= node->size())
        throw std::invalid_argument("'" + key + "' is not an index of that array (size " +
                                    std::to_string(node->size()) + ")");
      child = &(*node)[std::stoul(key)];
    } else {
      if (!node->is_object()) *node = nlohmann::json::object();
      child = &(*node)[key];
    }
    if (dot == std::string::npos) {
      *child = value;
      return;
    }
    if (!child->is_object() && !child->is_array()) *child = nlohmann::json::object();
    node = child;
    start = dot + 1;
  }
}

nlohmann::json parseLooseValue(const std::string& text) {
  try {
    return parseBoundedJson(text);
  } catch (const std::exception&) {  // not JSON, or nested too deep: the text itself
    return nlohmann::json(text);
  }
}

void applySetOverride(nlohmann::json& doc, const std::string& keyEqualsValue, const std::string& file) {
  const auto eq = keyEqualsValue.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(file, keyEqualsValue, "--set expects KEY=VALUE, e.g. --set distill.lambda=0.7");
  try {
    setDotted(doc, keyEqualsValue.substr(0, eq), parseLooseValue(keyEqualsValue.substr(eq + 1)));
  } catch (const std::invalid_argument& e) {
    throw ConfigError(file, keyEqualsValue.substr(0, eq), e.what());
  }
}

}  // namespace ternlab::config
