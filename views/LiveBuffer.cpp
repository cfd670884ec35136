#include "LiveBuffer.h"

#include <algorithm>

namespace ternlab::views {

double LiveProgress::fraction() const {
  if (!valid || stageCount <= 0) return 0.0;
  double inStage = 0.0;
  if (epochs > 0) {
    const double inEpoch = batchesPerEpoch > 0 ? static_cast<double>(batch) / batchesPerEpoch : 0.0;
    inStage = (std::max(0, epoch - 1) + inEpoch) / epochs;
  }
  return std::clamp((stageIndex + std::clamp(inStage, 0.0, 1.0)) / stageCount, 0.0, 1.0);
}

bool LiveBuffer::append(const QVector<LivePoint>& points) {
  QMutexLocker lock(&mutex_);
  pending_ += points;
  const bool notify = !notified_;
  notified_ = true;
  return notify;
}

bool LiveBuffer::setProgress(const LiveProgress& progress) {
  QMutexLocker lock(&mutex_);
  progress_ = progress;
  const bool notify = !notified_;
  notified_ = true;
  return notify;
}

LiveBuffer::Batch LiveBuffer::take() {
  Batch out;
  QMutexLocker lock(&mutex_);
  out.points.swap(pending_);
  out.progress = progress_;
  notified_ = false;
  return out;
}

}  // namespace ternlab::views
