#pragma once
#include <QMainWindow>
#include <QPointer>
#include <QThread>
#include <memory>

#include "EtaEstimator.h"
#include "LiveBuffer.h"

class QAction;
class QComboBox;
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
class KernelSpeedPanel;
class KernelView;
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
  KernelView* kernelView() const { return kernels_; }
  KernelSpeedPanel* speedPanel() const { return speed_; }
  QString databasePath() const { return dbPath_; }
  bool isTraining() const { return !active_.empty(); }
  // Runs training right now, each on its own thread (several can run at once).
  int runningCount() const { return static_cast<int>(active_.size()); }
  static constexpr int kMaxConcurrentRuns = 4;
  qint64 lastRunId() const { return lastRunId_; }
  // "live", "runs", "compare", "density", "kernels" or "speed".
  void showView(const QString& name);

 public Q_SLOTS:
  void startTraining();
  // Stops the run chosen in the "running" list (the newest by default).
  void stopTraining();
  void openExperiment();
  void saveExperiment();
  void cloneRun(qint64 runId);
  void compareRuns(const QVector<qint64>& runIds);
  void showDensity(qint64 runId);
  void showKernels(qint64 runId);
  // Opens another run store in a new window (this one closes unless it is training); false with a message
  // naming the file when it is not a TernLab database.
  bool openDatabase(const QString& path, QString* error = nullptr);

 Q_SIGNALS:
  void trainingFinished(qint64 runId, const QString& status);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  struct ActiveRun;
  void onProgress(const LiveProgress& p);
  void onStageStarted(ActiveRun* run, qint64 runId, const QString& name, int index, int count);
  void onFinished(ActiveRun* run, qint64 runId, const QString& status, const QString& error);
  void refreshRunChoices();
  void updateControls();
  void showProgressOf(const ActiveRun* run);
  ActiveRun* selectedActiveRun() const;
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
  KernelView* kernels_;
  KernelSpeedPanel* speed_;
  QProgressBar* progress_;
  QLabel* eta_;
  QAction* startAction_;
  QAction* stopAction_;
  QComboBox* running_;  // the runs training now; Stop acts on the chosen one

  // One run training on its own thread, with its own stop token, live buffer and clock.
  struct ActiveRun {
    QThread thread;
    QPointer<TrainingWorker> worker;
    std::shared_ptr<train::StopToken> stop;
    std::shared_ptr<LiveBuffer> buffer;
    EtaEstimator clock;
    QString label;         // "#2 fmnist-lenet-asym" (the prefix of its curves when several run)
    QList<qint64> runIds;  // the run and its stage runs, as they start
    LiveProgress progress;
  };
  std::vector<std::unique_ptr<ActiveRun>> active_;
  int launched_ = 0;
  qint64 lastRunId_ = 0;
};

}  // namespace ternlab::views
