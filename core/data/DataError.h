#pragma once
#include <stdexcept>
#include <string>

namespace ternlab::data {

// Raised for any unreadable dataset file; the message always names the file and the fault.
class DataError : public std::runtime_error {
 public:
  DataError(const std::string& file, const std::string& what)
      : std::runtime_error(file + ": " + what), file_(file) {}
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

}  // namespace ternlab::data
