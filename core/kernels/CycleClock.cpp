#include "kernels/CycleClock.h"

#include <chrono>
#include <cstdint>

namespace ternlab::kernels {
namespace {

double measureOnce() {
  constexpr std::uint64_t kIters = 500'000;  // x 8 imuls = 4M dependent imuls, ~4 ms
  std::uint64_t x = 12345, c = 0x9E3779B97F4A7C15ULL;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < kIters; ++i) {
#if defined(__x86_64__)
    asm volatile(
        "imul %1, %0\n\timul %1, %0\n\timul %1, %0\n\timul %1, %0\n\t"
        "imul %1, %0\n\timul %1, %0\n\timul %1, %0\n\timul %1, %0"
        : "+r"(x)
        : "r"(c));
#else
    for (int k = 0; k < 8; ++k) x *= c;
    asm volatile("" : "+r"(x));
#endif
  }
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return static_cast<double>(kIters) * 8 * kImulLatency / sec;
}

}  // namespace

double measuredCpuHz() {
  static const double hz = [] {
    double best = 0;
    for (int i = 0; i < 40; ++i) {  // short runs: on a loaded machine some are not preempted
      const double v = measureOnce();
      if (v > best) best = v;
    }
    return best;
  }();
  return hz;
}

}  // namespace ternlab::kernels
