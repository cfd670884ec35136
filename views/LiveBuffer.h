#pragma once
#include <QMutex>
#include <QString>
#include <QVector>

namespace ternlab::views {

// One sample of a live curve: series "train/loss", "test/acc", "density/conv2", … at a global step.
struct LivePoint {
  QString series;
  double x = 0;
  double y = 0;
};

// Where a run stands, for the progress bar and the ETA.
struct LiveProgress {
  qint64 runId = 0;
  int stageIndex = 0, stageCount = 1;
  int epoch = 0, epochs = 0;
  qint64 batch = 0, batchesPerEpoch = 0;
  bool valid = false;
  // Fraction of the whole run done, 0..1.
  double fraction() const;
};

// Hand-off from the training thread (writer) to the GUI thread (reader): the writer appends under a
// mutex, the reader swaps everything out at once. Only the first append after a swap asks the writer
// to notify, so a fast trainer cannot flood the GUI's event queue.
class LiveBuffer {
 public:
  struct Batch {
    QVector<LivePoint> points;
    LiveProgress progress;
  };
  // Both return true when the reader has not been told about pending data yet.
  bool append(const QVector<LivePoint>& points);
  bool setProgress(const LiveProgress& progress);
  // Everything pending since the last call (and the latest progress).
  Batch take();

 private:
  QMutex mutex_;
  QVector<LivePoint> pending_;
  LiveProgress progress_;
  bool notified_ = false;
};

}  // namespace ternlab::views
