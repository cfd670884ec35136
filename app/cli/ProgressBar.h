#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace ternlab::cli {

// A one-line terminal progress bar on stderr (redrawn in place; silent when stderr is not a TTY).
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled);
  void start(const std::string& label, std::int64_t total);
  void update(std::int64_t done, const std::string& suffix);
  void finish();

 private:
  bool enabled_;
  std::string label_;
  std::int64_t total_ = 1;
  std::chrono::steady_clock::time_point t0_, lastDraw_;
  bool drawn_ = false;
};

}  // namespace ternlab::cli
