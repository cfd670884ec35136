#include "config/BoundedJson.h"

#include <stdexcept>

#include "config/ConfigError.h"

namespace ternlab::config {

nlohmann::json parseBoundedJson(const std::string& text) {
  // nlohmann's parser is iterative, but a value nested a million levels deep would still overflow the
  // stack in every recursive consumer (dump, merge, flatten): refuse it before parsing. A linear scan of
  // the brackets outside strings; a malformed text is left for the parser to name.
  int depth = 0;
  bool inString = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') inString = false;
      continue;
    }
    if (c == '"') inString = true;
    else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        throw std::invalid_argument("nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels at byte " +
                                    std::to_string(i));
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return nlohmann::json::parse(text);
}

nlohmann::json parseConfigJson(const std::string& text, const std::string& file) {
  try {
    return parseBoundedJson(text);
  } catch (const nlohmann::json::exception& e) {  // syntax errors, and numbers too large for a double (1e309)
    throw ConfigError(file, "", std::string("not valid JSON: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw ConfigError(file, "", std::string("not accepted: ") + e.what());
  }
}

}  // namespace ternlab::config
