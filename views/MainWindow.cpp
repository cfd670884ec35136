#include "MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "AppIcon.h"
#include "CompareView.h"
#include "DensityPlot.h"
#include "ExperimentForm.h"
#include "KernelSpeedPanel.h"
#include "KernelView.h"
#include "LivePlot.h"
#include "Presets.h"
#include "RunBrowser.h"
#include "RunTableModel.h"
#include "TrainingWorker.h"
#include "Version.h"
#include "config/ExperimentConfig.h"
#include "store/RunStore.h"
#include "train/StopToken.h"

namespace ternlab::views {


MainWindow::MainWindow(const QString& dbPath, QWidget* parent)
    : QMainWindow(parent), dbPath_(dbPath), store_(std::make_shared<store::RunStore>(dbPath.toStdString())) {
  setWindowTitle(tr("TernLab — %1").arg(QFileInfo(dbPath).fileName()));
  setWindowIcon(appIcon());
  store_->markStaleRunsInterrupted();

  form_ = new ExperimentForm;
  auto* scroll = new QScrollArea;
  scroll->setWidget(form_);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  startButton_ = new QPushButton(tr("Start"));
  startButton_->setObjectName(QStringLiteral("startButton"));
  stopButton_ = new QPushButton(tr("Stop"));
  stopButton_->setObjectName(QStringLiteral("stopButton"));
  running_ = new QComboBox;
  running_->setObjectName(QStringLiteral("runningRuns"));
  running_->setToolTip(tr("Runs training now; Stop acts on the one chosen here"));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(startButton_);
  buttons->addWidget(running_, 1);
  buttons->addWidget(stopButton_);
  auto* left = new QWidget;
  auto* leftLayout = new QVBoxLayout(left);
  leftLayout->setContentsMargins(0, 0, 0, 0);
  leftLayout->addWidget(scroll, 1);
  leftLayout->addLayout(buttons);
  left->setMinimumWidth(form_->sizeHint().width() + 30);

  livePlot_ = new LivePlot;
  browser_ = new RunBrowser(store_);
  compare_ = new CompareView(store_);
  density_ = new DensityPlot(store_);
  kernels_ = new KernelView(dbPath);
  speed_ = new KernelSpeedPanel(dbPath);
  tabs_ = new QTabWidget;
  tabs_->addTab(livePlot_, tr("Live"));
  tabs_->addTab(browser_, tr("Runs"));
  tabs_->addTab(compare_, tr("Compare"));
  tabs_->addTab(density_, tr("Density"));
  tabs_->addTab(kernels_, tr("Kernels"));
  tabs_->addTab(speed_, tr("Speed"));

  auto* split = new QSplitter;
  split->addWidget(left);
  split->addWidget(tabs_);
  split->setStretchFactor(1, 1);
  setCentralWidget(split);

  progress_ = new QProgressBar;
  progress_->setRange(0, 1000);
  progress_->setMaximumWidth(240);
  progress_->setTextVisible(true);
  progress_->setFormat(QStringLiteral("%p%"));
  eta_ = new QLabel;
  statusBar()->addPermanentWidget(eta_);
  statusBar()->addPermanentWidget(progress_);
  statusBar()->showMessage(tr("Database %1").arg(dbPath));

  buildMenus();
  connect(startButton_, &QPushButton::clicked, this, &MainWindow::startTraining);
  connect(stopButton_, &QPushButton::clicked, this, &MainWindow::stopTraining);
  connect(form_, &ExperimentForm::validityChanged, this, &MainWindow::updateControls);
  connect(running_, &QComboBox::currentIndexChanged, this, [this] { showProgressOf(selectedActiveRun()); });
  connect(livePlot_, &LivePlot::progressChanged, this, &MainWindow::onProgress);
  connect(browser_, &RunBrowser::cloneRequested, this, &MainWindow::cloneRun);
  connect(browser_, &RunBrowser::compareRequested, this, &MainWindow::compareRuns);
  connect(browser_, &RunBrowser::densityRequested, this, &MainWindow::showDensity);
  connect(browser_, &RunBrowser::kernelsRequested, this, &MainWindow::showKernels);
  refreshRunChoices();
  updateControls();

  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
  split->restoreState(settings.value(QStringLiteral("window/splitter")).toByteArray());
  split->setObjectName(QStringLiteral("mainSplitter"));
  settings.setValue(QStringLiteral("lastDatabase"), dbPath);
}

MainWindow::~MainWindow() {
  for (auto& run : active_) run->stop->requestStop();
  for (auto& run : active_) {
    run->thread.quit();
    run->thread.wait();
  }
}

void MainWindow::buildMenus() {
  auto* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open experiment…"), QKeySequence::Open, this, &MainWindow::openExperiment);
  file->addAction(tr("&Save experiment as…"), QKeySequence::Save, this, &MainWindow::saveExperiment);
  auto* presets = file->addMenu(tr("&Presets"));
  for (const QString& path : presetFiles(presetDirectory())) {
    presets->addAction(QFileInfo(path).completeBaseName(), this, [this, path] {
      QString error;
      if (!form_->loadFile(path, &error)) QMessageBox::warning(this, tr("Preset"), error);
    });
  }
  presets->setEnabled(!presets->isEmpty());
  file->addAction(tr("Open &database…"), QKeySequence(tr("Ctrl+Shift+O")), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Open or create a run database"), QFileInfo(dbPath_).path(),
                                                      tr("Run databases (*.sqlite);;All files (*)"), nullptr,
                                                      QFileDialog::DontConfirmOverwrite);
    QString error;
    if (!path.isEmpty() && !openDatabase(path, &error)) QMessageBox::warning(this, tr("Open database"), error);
  });
  file->addSeparator();
  file->addAction(tr("&Export comparison…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::exportCompare);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  auto* edit = menuBar()->addMenu(tr("&Edit"));
  edit->addAction(tr("&Clone selected run"), QKeySequence(tr("Ctrl+D")), this,
                  [this] { cloneRun(browser_->currentRunId()); });
  edit->addAction(tr("Add &tag…"), QKeySequence(tr("Ctrl+T")), browser_, &RunBrowser::tagSelected);
  edit->addAction(tr("&Archive / unarchive"), QKeySequence(tr("Ctrl+Shift+A")), browser_, &RunBrowser::archiveSelected);
  edit->addAction(tr("&Delete runs…"), QKeySequence(tr("Ctrl+Del")), browser_, &RunBrowser::deleteSelected);
  edit->addAction(tr("Browser &columns…"), browser_, &RunBrowser::chooseColumns);

  auto* view = menuBar()->addMenu(tr("&View"));
  for (int i = 0; i < tabs_->count(); ++i)
    view->addAction(tabs_->tabText(i), QKeySequence(QStringLiteral("Ctrl+%1").arg(i + 1)), this,
                    [this, i] { tabs_->setCurrentIndex(i); });
  view->addSeparator();
  view->addAction(tr("&Refresh runs"), QKeySequence::Refresh, browser_, &RunBrowser::refresh);
  view->addAction(tr("Compare &selected"), QKeySequence(tr("Ctrl+K")), this,
                  [this] { compareRuns(browser_->selectedRunIds()); });

  auto* run = menuBar()->addMenu(tr("&Run"));
  startAction_ = run->addAction(tr("&Start"), QKeySequence(tr("Ctrl+R")), this, &MainWindow::startTraining);
  stopAction_ = run->addAction(tr("S&top"), QKeySequence(tr("Ctrl+.")), this, &MainWindow::stopTraining);

  auto* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About TernLab"), this, &MainWindow::about);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::showView(const QString& name) {
  static const QStringList names{QStringLiteral("live"), QStringLiteral("runs"), QStringLiteral("compare"),
                                 QStringLiteral("density"), QStringLiteral("kernels"), QStringLiteral("speed")};
  const int i = names.indexOf(name.toLower());
  if (i >= 0) tabs_->setCurrentIndex(i);
}

void MainWindow::updateControls() {
  const bool canStart = form_->isValid() && runningCount() < kMaxConcurrentRuns;
  startButton_->setEnabled(canStart);
  startAction_->setEnabled(canStart);
  stopButton_->setEnabled(isTraining());
  stopAction_->setEnabled(isTraining());
  running_->setEnabled(isTraining());
}

MainWindow::ActiveRun* MainWindow::selectedActiveRun() const {
  const int i = running_->currentIndex();
  return i >= 0 && i < runningCount() ? active_[static_cast<std::size_t>(i)].get() : nullptr;
}

void MainWindow::startTraining() {
  if (runningCount() >= kMaxConcurrentRuns) return;
  const auto cfg = form_->config();
  if (!cfg) {
    statusBar()->showMessage(tr("Fix the experiment first: %1").arg(form_->errorMessage()));
    return;
  }
  auto run = std::make_unique<ActiveRun>();
  auto* r = run.get();
  if (active_.empty()) launched_ = 0;  // numbering restarts with the plot
  ++launched_;
  r->label = QStringLiteral("#%1 %2").arg(launched_).arg(QString::fromStdString(cfg->name));
  r->buffer = std::make_shared<LiveBuffer>();
  r->stop = std::make_shared<train::StopToken>();
  // Alone, a run's curves carry plain names; beside others, each run's curves carry its "#n " prefix.
  if (active_.empty()) {
    livePlot_->attach(r->buffer);
  } else {
    livePlot_->addSource(r->buffer, QStringLiteral("#%1 ").arg(launched_));
  }
  r->thread.setObjectName(QStringLiteral("training-%1").arg(launched_));
  r->thread.start();
  auto* worker = new TrainingWorker(r->buffer, r->stop);
  worker->moveToThread(&r->thread);
  connect(worker, &TrainingWorker::dataReady, livePlot_, &LivePlot::onDataReady);
  connect(worker, &TrainingWorker::stageStarted, this,
          [this, r](qint64 id, const QString& name, int index, int count) { onStageStarted(r, id, name, index, count); });
  connect(worker, &TrainingWorker::finished, this,
          [this, r](qint64 id, const QString& status, const QString& error) { onFinished(r, id, status, error); });
  connect(worker, &TrainingWorker::finished, worker, &QObject::deleteLater);
  r->worker = worker;
  const QByteArray json = QByteArray::fromStdString(cfg->json.dump());
  const QString db = dbPath_;
  const auto seeds = form_->seedList();
  const int processes = form_->processes();
  QMetaObject::invokeMethod(worker, [worker, json, db, seeds, processes] { worker->run(json, db, seeds, processes); },
                            Qt::QueuedConnection);
  r->clock.start();
  active_.push_back(std::move(run));
  running_->addItem(r->label);
  running_->setCurrentIndex(running_->count() - 1);
  updateControls();
  progress_->setValue(0);
  eta_->setText(tr("starting…"));
  tabs_->setCurrentWidget(livePlot_);
  statusBar()->showMessage(tr("Training %1…").arg(r->label));
}

void MainWindow::stopTraining() {
  auto* r = selectedActiveRun();
  if (!r) return;
  r->stop->requestStop();
  statusBar()->showMessage(tr("Stopping %1 after the current batch…").arg(r->label));
}

void MainWindow::onStageStarted(ActiveRun* run, qint64 runId, const QString& name, int index, int count) {
  run->runIds << runId;
  statusBar()->showMessage(count > 1 ? tr("Run %1: stage %2/%3 %4").arg(runId).arg(index + 1).arg(count).arg(name)
                                     : tr("Run %1: %2").arg(runId).arg(name));
  browser_->refresh();  // the new run shows as running
}

void MainWindow::onProgress(const LiveProgress& p) {
  for (auto& r : active_)
    if (r->runIds.contains(p.runId)) r->progress = p;
  showProgressOf(selectedActiveRun());
}

void MainWindow::showProgressOf(const ActiveRun* r) {
  if (!r || !r->progress.valid) return;
  const double f = r->progress.fraction();
  progress_->setValue(static_cast<int>(f * 1000));
  const QString others = runningCount() > 1 ? tr(" · %1 runs training").arg(runningCount()) : QString();
  eta_->setText(tr("%1 · epoch %2/%3 · ETA %4%5")
                    .arg(r->label)
                    .arg(r->progress.epoch)
                    .arg(r->progress.epochs)
                    .arg(EtaEstimator::format(r->clock.remainingSeconds(f)))
                    .arg(others));
}

void MainWindow::onFinished(ActiveRun* run, qint64 runId, const QString& status, const QString& error) {
  auto it = std::find_if(active_.begin(), active_.end(), [run](const auto& r) { return r.get() == run; });
  if (it == active_.end()) return;
  const int index = static_cast<int>(it - active_.begin());
  livePlot_->flush();
  livePlot_->removeSource(run->buffer);
  const QString label = run->label;
  const double seconds = run->clock.elapsedSeconds();
  run->thread.quit();
  run->thread.wait();  // the worker has returned: this is immediate
  active_.erase(it);
  {
    const QSignalBlocker block(running_);
    running_->removeItem(index);
    running_->setCurrentIndex(running_->count() - 1);
  }
  updateControls();
  lastRunId_ = runId;
  if (!isTraining()) {
    if (status == QLatin1String(store::runStatusName(store::RunStatus::Finished))) progress_->setValue(1000);
    eta_->setText(tr("%1 %2 in %3").arg(label, status, EtaEstimator::format(seconds)));
  } else {
    showProgressOf(selectedActiveRun());
  }
  statusBar()->showMessage(error.isEmpty() ? tr("Run %1 (%2) %3").arg(runId).arg(label, status)
                                           : tr("Run %1 (%2) %3: %4").arg(runId).arg(label, status, error));
  browser_->refresh();
  if (runId) browser_->selectRuns({runId});
  refreshRunChoices();
  if (status == QLatin1String(store::runStatusName(store::RunStatus::Failed)) && !error.isEmpty())
    QMessageBox::warning(this, tr("Run failed"), error);
  Q_EMIT trainingFinished(runId, status);
}

void MainWindow::refreshRunChoices() {
  QList<QPair<QString, QString>> choices;
  store::RunFilter filter;
  filter.status = store::RunStatus::Finished;
  for (const auto& r : store_->listRuns(filter))
    choices.append({QString::number(r.id), QStringLiteral("#%1 %2").arg(r.id).arg(QString::fromStdString(r.name))});
  form_->setRunChoices(choices);
}

void MainWindow::openExperiment() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open experiment"), presetDirectory(),
                                                    tr("Experiments (*.json);;All files (*)"));
  if (path.isEmpty()) return;
  QString error;
  if (!form_->loadFile(path, &error)) QMessageBox::warning(this, tr("Open experiment"), error);
}

void MainWindow::saveExperiment() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Save experiment"), QString(), tr("Experiments (*.json)"));
  if (path.isEmpty()) return;
  QString error;
  if (!form_->saveFile(path, &error)) QMessageBox::warning(this, tr("Save experiment"), error);
}

void MainWindow::cloneRun(qint64 runId) {
  if (!runId) return;
  const auto rec = store_->run(runId);
  if (!rec) return;
  try {
    auto cfg = config::parseExperimentText(rec->config, "run " + std::to_string(runId));
    form_->setConfig(cfg);
    statusBar()->showMessage(tr("Editor filled from run %1").arg(runId));
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Clone run"), QString::fromUtf8(e.what()));
  }
}

void MainWindow::compareRuns(const QVector<qint64>& runIds) {
  compare_->setRuns(runIds);
  tabs_->setCurrentWidget(compare_);
}

void MainWindow::showDensity(qint64 runId) {
  if (!runId) return;
  density_->setRun(runId);
  tabs_->setCurrentWidget(density_);
}

bool MainWindow::openDatabase(const QString& path, QString* error) {
  MainWindow* other = nullptr;
  try {
    other = new MainWindow(path);
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  other->setAttribute(Qt::WA_DeleteOnClose);
  other->resize(size());
  other->show();
  if (!isTraining()) close();
  return true;
}

void MainWindow::showKernels(qint64 runId) {
  if (!runId) return;
  kernels_->setRun(runId);
  tabs_->setCurrentWidget(kernels_);
}

void MainWindow::exportCompare() {
  if (compare_->runs().isEmpty()) {
    QMessageBox::information(this, tr("Export"), tr("Compare some runs first."));
    return;
  }
  const QString path = QFileDialog::getSaveFileName(this, tr("Export comparison"), QString(),
                                                    tr("CSV table (*.csv);;PNG image (*.png);;PDF (*.pdf)"));
  if (path.isEmpty()) return;
  QString error;
  const bool ok = path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive) ? compare_->exportCsv(path, &error)
                                                                            : compare_->exportPlot(path, &error);
  if (!ok) QMessageBox::warning(this, tr("Export"), error);
}

void MainWindow::about() {
  QMessageBox::about(this, tr("About TernLab"),
                     tr("<h3>TernLab %1</h3><p>A research workbench for ternary neural networks.</p>"
                        "<p>Build %2 · Qt %3 (compiled against %4)</p><p>Run store: %5</p>")
                         .arg(QString::fromLatin1(ternlab::kVersion), QString::fromLatin1(ternlab::kGitCommit),
                              QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR), dbPath_.toHtmlEscaped()));
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (isTraining()) {
    const auto answer = QMessageBox::question(
        this, tr("Quit"), tr("%n run(s) training. Stop and quit? (They are recorded as cancelled.)", "", runningCount()));
    if (answer != QMessageBox::Yes) {
      event->ignore();
      return;
    }
    for (auto& run : active_) run->stop->requestStop();
  }
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  if (auto* split = findChild<QSplitter*>(QStringLiteral("mainSplitter")))
    settings.setValue(QStringLiteral("window/splitter"), split->saveState());
  event->accept();
}

}  // namespace ternlab::views
