#pragma once
// Static partition of work items over std::thread: contiguous chunks, so each output is
// computed by exactly the same code whatever the thread count (results are identical).
#include <cstddef>
#include <functional>

namespace ternlab::kernels {

// Calls fn(begin, end) on disjoint chunks covering [0, n); threads <= 1 runs inline.
void parallelFor(std::size_t n, int threads, const std::function<void(std::size_t, std::size_t)>& fn);

}  // namespace ternlab::kernels
