#include "train/LrSchedule.h"

#include <cmath>

namespace ternlab::train {

double learningRate(const config::OptimizerSpec& opt, const config::ScheduleSpec& s, int epochs, double epochPos) {
  const double base = opt.lr;
  if (s.warmupEpochs > 0 && epochPos < s.warmupEpochs) return base * (epochPos + 1e-3) / s.warmupEpochs;
  if (s.type == "step") {
    double lr = base;
    for (int m : s.milestones)
      if (epochPos >= m) lr *= s.gamma;
    return lr;
  }
  if (s.type == "cosine") {
    const double span = std::max(1e-9, static_cast<double>(epochs - s.warmupEpochs));
    const double t = std::min(1.0, std::max(0.0, (epochPos - s.warmupEpochs) / span));
    return 0.5 * base * (1.0 + std::cos(M_PI * t));
  }
  return base;
}

}  // namespace ternlab::train
