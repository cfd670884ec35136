#include "config/DottedKey.h"

#include <stdexcept>

namespace ternlab::config {

void setDotted(nlohmann::json& doc, const std::string& dotted, const nlohmann::json& value) {
  nlohmann::json* node = &doc;
  std::size_t start = 0;
  while (true) {
    const auto dot = dotted.find('.', start);
    const auto key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    nlohmann::json* child = nullptr;
    if (node->is_array()) {  // "stages.1.epochs": a number indexes an existing array element
      if (key.empty() || key.find_first_not_of("0123456789") != std::string::npos || std::stoul(key) >= node->size())
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
  auto v = nlohmann::json::parse(text, nullptr, false);
  return v.is_discarded() ? nlohmann::json(text) : v;
}

}  // namespace ternlab::config
