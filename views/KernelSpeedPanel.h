#pragma once
#include <QString>
#include <QWidget>
#include <memory>

#include "BackgroundJob.h"
#include "engine/BenchSuite.h"

class QCustomPlot;
class QLabel;
class QProgressBar;
class QPushButton;

namespace ternlab::views {

// Runs the core's kernel benchmark (ternary GEMMs against LibTorch fp32 on ResNet-18/VGG-S/FC shapes, one
// thread) off the GUI thread and shows what it measured: speed-up over fp32 as bars per shape and kernel,
// and MAC/cycle against the instruction bound of this CPU drawn as a line. The result is recorded in the
// run store as a "bench" run, like `ternlab-cli bench`.
class KernelSpeedPanel : public QWidget {
  Q_OBJECT
 public:
  explicit KernelSpeedPanel(QString dbPath, QWidget* parent = nullptr);
  ~KernelSpeedPanel() override;

  // Starts a measurement (ignored while one runs); options.progress is set by the panel.
  void runBenchmark(engine::BenchSuiteOptions options = quickOptions());
  static engine::BenchSuiteOptions quickOptions();
  // Draws a result (also used for one measured elsewhere).
  void showResult(const engine::BenchSuiteResult& result);
  bool isRunning() const { return worker_.running(); }
  const engine::BenchSuiteResult& result() const { return result_; }
  qint64 recordedRun() const { return recordedRun_; }
  QCustomPlot* speedupPlot() const { return speedup_; }
  QCustomPlot* boundPlot() const { return bound_; }

 Q_SIGNALS:
  void finished();

 private:
  void onProgress(int done, int total);
  // What the worker thread produced: the measurement and the bench run it recorded (0: not recorded).
  struct Measured {
    engine::BenchSuiteResult result;
    qint64 recordedRun = 0;
  };
  void onWorkerDone(const Measured& measured, const QString& error);

  QString dbPath_;
  QPushButton* run_;
  QProgressBar* progress_;
  QLabel* summary_;
  QCustomPlot* speedup_;
  QCustomPlot* bound_;
  BackgroundJob<Measured> worker_{this, QStringLiteral("kernel-bench")};
  engine::BenchSuiteResult result_;
  qint64 recordedRun_ = 0;
};

}  // namespace ternlab::views
