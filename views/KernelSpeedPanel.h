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

// Runs the core's benchmarks off the GUI thread and shows what they measured: the kernels (ternary GEMMs
// against LibTorch fp32 on ResNet-18/VGG-S/FC shapes, one thread) as speed-up bars per shape and kernel and
// MAC/cycle against this CPU's instruction bound, and the whole packed networks (LeNet-5, VGG-S, ResNet-20,
// ResNet-18; batch 64 and 1; 1 and 2 threads) as images/s against LibTorch fp32 eager and fake-quant. Every
// measurement is recorded in the run store as a "bench" run, like `ternlab-cli bench`; the newest recorded
// network rows are drawn when the panel opens.
class KernelSpeedPanel : public QWidget {
  Q_OBJECT
 public:
  explicit KernelSpeedPanel(QString dbPath, QWidget* parent = nullptr);
  ~KernelSpeedPanel() override;

  // Starts a measurement (ignored while one runs); options.progress is set by the panel.
  void runBenchmark(engine::BenchSuiteOptions options = quickOptions());
  static engine::BenchSuiteOptions quickOptions();
  // The network rows (`ternlab-cli bench --networks`): up to two threads.
  static engine::BenchSuiteOptions networkOptions();
  // Draws a result (also used for one measured elsewhere).
  void showResult(const engine::BenchSuiteResult& result);
  bool isRunning() const { return worker_.running(); }
  const engine::BenchSuiteResult& result() const { return result_; }
  qint64 recordedRun() const { return recordedRun_; }
  QCustomPlot* speedupPlot() const { return speedup_; }
  QCustomPlot* boundPlot() const { return bound_; }
  QCustomPlot* networkPlot() const { return networks_; }
  qint64 shownNetworkRun() const { return networkRun_; }

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
  void drawKernels(const engine::BenchSuiteResult& r);
  void drawNetworks(const engine::BenchSuiteResult& r);
  void setRunning(bool running);
  static QString kernelIntro();

  QString dbPath_;
  QPushButton* run_;
  QPushButton* runNetworks_;
  QProgressBar* progress_;
  QLabel* summary_;
  QCustomPlot* speedup_;
  QCustomPlot* bound_;
  QCustomPlot* networks_;
  QLabel* networkSummary_;
  BackgroundJob<Measured> worker_{this, QStringLiteral("kernel-bench")};
  engine::BenchSuiteResult result_;
  qint64 recordedRun_ = 0;
  qint64 networkRun_ = 0;  // the bench run whose network rows are drawn
};

}  // namespace ternlab::views
