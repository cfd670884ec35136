#pragma once
#include <functional>

namespace ternlab::kernels {

// Median wall time in seconds of runs calls of fn after one warm-up call: the one timing rule every
// benchmark here uses (median of >= 30 runs, docs/ARCHITECTURE.md).
double medianSeconds(int runs, const std::function<void()>& fn);

}  // namespace ternlab::kernels
