#include "kernels/Parallel.h"

#include <exception>
#include <vector>

namespace ternlab::kernels {

// OpenMP's thread pool (the one LibTorch uses here too): workers persist between calls, so a layer
// call costs microseconds, not a thread start per worker.
void parallelFor(std::size_t n, int threads, const std::function<void(std::size_t, std::size_t)>& fn) {
  if (n == 0) return;
  std::size_t t = threads < 1 ? 1 : static_cast<std::size_t>(threads);
  if (t > n) t = n;
  if (t == 1) {
    fn(0, n);
    return;
  }
  std::vector<std::exception_ptr> errors(t);
  const long long count = static_cast<long long>(t);
#pragma omp parallel for num_threads(static_cast<int>(t)) schedule(static, 1)
  for (long long i = 0; i < count; ++i) {
    const std::size_t u = static_cast<std::size_t>(i);
    try {
      fn(n * u / t, n * (u + 1) / t);
    } catch (...) {
      errors[u] = std::current_exception();
    }
  }
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace ternlab::kernels
