#pragma once
#include <stdexcept>
#include <string>

namespace ternlab::config {

// Raised for an invalid experiment file; names the file and the JSON path of the offending key.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& file, const std::string& keyPath, const std::string& what)
      : std::runtime_error((file.empty() ? std::string("<config>") : file) + ": " +
                           (keyPath.empty() ? std::string() : "'" + keyPath + "': ") + what),
        keyPath_(keyPath), detail_(what) {}
  const std::string& keyPath() const { return keyPath_; }
  const std::string& detail() const { return detail_; }

 private:
  std::string keyPath_;
  std::string detail_;
};

}  // namespace ternlab::config
