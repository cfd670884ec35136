#include "kernels/Parallel.h"

#include <exception>
#include <thread>
#include <vector>

namespace ternlab::kernels {

void parallelFor(std::size_t n, int threads, const std::function<void(std::size_t, std::size_t)>& fn) {
  if (n == 0) return;
  std::size_t t = threads < 1 ? 1 : static_cast<std::size_t>(threads);
  if (t > n) t = n;
  if (t == 1) {
    fn(0, n);
    return;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(t);
  pool.reserve(t - 1);
  auto chunk = [&](std::size_t i) {
    const std::size_t b = n * i / t, e = n * (i + 1) / t;
    try {
      fn(b, e);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  };
  for (std::size_t i = 1; i < t; ++i) pool.emplace_back(chunk, i);
  chunk(0);
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace ternlab::kernels
