#include "ProgressBar.h"

#include <unistd.h>

#include <cstdio>

namespace ternlab::cli {

ProgressBar::ProgressBar(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO)) {}

void ProgressBar::start(const std::string& label, std::int64_t total) {
  label_ = label;
  total_ = total > 0 ? total : 1;
  t0_ = std::chrono::steady_clock::now();
  lastDraw_ = {};
  drawn_ = false;
}

void ProgressBar::update(std::int64_t done, const std::string& suffix) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - lastDraw_ < std::chrono::milliseconds(100)) return;
  lastDraw_ = now;
  const double frac = static_cast<double>(done) / total_;
  const int width = 30;
  const int filled = static_cast<int>(frac * width);
  const double elapsed = std::chrono::duration<double>(now - t0_).count();
  const double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0;
  std::string bar(filled, '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r%s [%s] %3d%% %lld/%lld  %.0fs<%.0fs  %s\033[K", label_.c_str(), bar.c_str(),
               static_cast<int>(frac * 100), static_cast<long long>(done), static_cast<long long>(total_), elapsed, eta,
               suffix.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (enabled_ && drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
}

}  // namespace ternlab::cli
