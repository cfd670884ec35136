#pragma once
#include <QMainWindow>
#include <QPointer>
#include <QThread>
#include <memory>

#include "EtaEstimator.h"
#include "LiveBuffer.h"

class QAction;
class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;

namespace ternlab::store {
class RunStore;
}
namespace ternlab::train {
class StopToken;
}

namespace ternlab::views {

class CompareView;
class DensityPlot;
class ExperimentForm;
class LivePlot;
class RunBrowser;
class TrainingWorker;

// The workbench window: experiment editor on the left, live curves / run browser / compare / density
// on the right. Training runs on a worker thread; this window only draws what it reports.
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  // Opens (creating if needed) the run store at dbPath; throws store::StoreError if it cannot.
  explicit MainWindow(const QString& dbPath, QWidget* parent = nullptr);
  ~MainWindow() override;

  ExperimentForm* form() const { return form_; }
  LivePlot* livePlot() const { return livePlot_; }
  RunBrowser* runBrowser() const { return browser_; }
  CompareView* compareView() const { return compare_; }
  DensityPlot* densityPlot() const { return density_; }
  QString databasePath() const { return dbPath_; }
  bool isTraining() const { return training_; }
  qint64 lastRunId() const { return lastRunId_; }
  // "live", "runs", "compare" or "density".
  void showView(const QString& name);

 public Q_SLOTS:
  void startTraining();
  void stopTraining();
  void openExperiment();
  void saveExperiment();
  void cloneRun(qint64 runId);
  void compareRuns(const QVector<qint64>& runIds);
  void showDensity(qint64 runId);

 Q_SIGNALS:
  void trainingFinished(qint64 runId, const QString& status);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  void onProgress(const LiveProgress& p);
  void onStageStarted(qint64 runId, const QString& name, int index, int count);
  void onFinished(qint64 runId, const QString& status, const QString& error);
  void refreshRunChoices();
  void setTraining(bool on);
  void exportCompare();
  void about();

  QString dbPath_;
  std::shared_ptr<store::RunStore> store_;  // the GUI thread's own connection
  ExperimentForm* form_;
  QPushButton* startButton_;
  QPushButton* stopButton_;
  QTabWidget* tabs_;
  LivePlot* livePlot_;
  RunBrowser* browser_;
  CompareView* compare_;
  DensityPlot* density_;
  QProgressBar* progress_;
  QLabel* eta_;
  QAction* startAction_;
  QAction* stopAction_;

  QThread trainingThread_;
  QPointer<TrainingWorker> worker_;
  std::shared_ptr<train::StopToken> stop_;
  std::shared_ptr<LiveBuffer> buffer_;
  EtaEstimator etaClock_;
  bool training_ = false;
  qint64 lastRunId_ = 0;
};

}  // namespace ternlab::views
