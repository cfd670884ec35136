#pragma once
#include <QObject>
#include <QString>
#include <cstdint>
#include <memory>
#include <vector>

#include "LiveBuffer.h"
#include "train/StopToken.h"

namespace ternlab::views {

// Runs one experiment on a worker thread (the object is moved to a QThread) so the GUI never waits:
// progress goes into a LiveBuffer, and one dataReady() signal says "there is something to draw".
class TrainingWorker : public QObject {
  Q_OBJECT
 public:
  TrainingWorker(std::shared_ptr<LiveBuffer> buffer, std::shared_ptr<train::StopToken> stop,
                 QObject* parent = nullptr);

 public Q_SLOTS:
  // Blocks this worker's thread until the run ends; configJson must already be valid. With seeds, one run
  // per seed, one after the other (a seed group); finished() reports the last. With processes > 1 this thread is
  // rank 0 of a local data-parallel run (its curves live as always) and ranks 1… are ternlab-cli processes.
  void run(const QByteArray& configJson, const QString& dbPath, const std::vector<std::uint64_t>& seeds = {},
           int processes = 1);

 Q_SIGNALS:
  void dataReady();
  void stageStarted(qint64 runId, const QString& name, int index, int count);
  void finished(qint64 runId, const QString& status, const QString& error);

 private:
  std::shared_ptr<LiveBuffer> buffer_;
  std::shared_ptr<train::StopToken> stop_;
};

}  // namespace ternlab::views
