#pragma once
#include <atomic>

namespace ternlab::train {

// Cooperative cancellation: the trainer polls it between batches.
class StopToken {
 public:
  void requestStop() { stop_.store(true, std::memory_order_relaxed); }
  bool stopRequested() const { return stop_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> stop_{false};
};

}  // namespace ternlab::train
