// A real (tiny) training run driven through the window's own widgets.
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include "ExperimentForm.h"
#include "LivePlot.h"
#include "MainWindow.h"
#include "RunBrowser.h"
#include "RunTableModel.h"
#include "ViewTestSupport.h"

using namespace ternlab::views;

class MainWindowTest : public QObject {
  Q_OBJECT
 private:
  template <class W>
  static W* field(QWidget& w, const char* name) {
    auto* f = w.findChild<W*>(QLatin1String(name));
    if (!f) qFatal("no widget %s", name);
    return f;
  }

  // Fills the form the way a user would: through the widgets.
  static void fillTinyExperiment(MainWindow& w, int epochs) {
    field<QLineEdit>(w, "name")->setText(QStringLiteral("gui-tiny"));
    auto* scheme = field<QComboBox>(w, "weights.scheme");
    scheme->setCurrentIndex(scheme->findData(QStringLiteral("twn")));
    field<QDoubleSpinBox>(w, "weights.factor")->setValue(0.7);
    field<QComboBox>(w, "firstLayer")->setCurrentText(QStringLiteral("fp"));
    field<QSpinBox>(w, "trainLimit")->setValue(2000);
    field<QSpinBox>(w, "testLimit")->setValue(500);
    field<QSpinBox>(w, "epochs")->setValue(epochs);
    field<QSpinBox>(w, "batchSize")->setValue(32);
    field<QSpinBox>(w, "logInterval")->setValue(2);
    field<QSpinBox>(w, "threads")->setValue(1);
    field<QDoubleSpinBox>(w, "lr")->setValue(0.05);
    field<QSpinBox>(w, "seed")->setValue(7);
  }

 private Q_SLOTS:
  void tinyRunDrawsCurvesAndIsStored() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    MainWindow w(dir.filePath(QStringLiteral("runs.sqlite")));
    w.resize(1200, 800);
    w.show();
    fillTinyExperiment(w, 2);
    QVERIFY2(w.form()->isValid(), qPrintable(w.form()->errorMessage()));
    auto* start = field<QPushButton>(w, "startButton");
    QVERIFY(start->isEnabled());

    // The event loop must answer a 20 ms ping within 100 ms of its due time all through training.
    QElapsedTimer clock;
    qint64 last = -1, worstLateMs = 0;
    QTimer ping;
    ping.setInterval(20);
    connect(&ping, &QTimer::timeout, this, [&] {
      const qint64 now = clock.elapsed();
      if (last >= 0 && w.isTraining()) worstLateMs = std::max(worstLateMs, now - last - 20);
      last = now;
    });
    // Sizes of the loss curve as the plot saw them while training.
    QList<int> lossSizes;
    QTimer sampler;
    sampler.setInterval(15);
    connect(&sampler, &QTimer::timeout, this, [&] {
      const int n = w.livePlot()->pointCount(QStringLiteral("train/loss"));
      if (w.isTraining() && n > 0 && (lossSizes.isEmpty() || lossSizes.back() != n)) lossSizes << n;
    });
    QSignalSpy finished(&w, &MainWindow::trainingFinished);
    clock.start();
    ping.start();
    sampler.start();
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(w.isTraining());
    QVERIFY(field<QPushButton>(w, "stopButton")->isEnabled());
    QCOMPARE(w.runningCount(), 1);
    QVERIFY(finished.wait(240000));
    ping.stop();
    sampler.stop();

    qInfo("loss curve sizes seen while training: %d distinct, last %d; worst ping delay %lld ms",
          int(lossSizes.size()), lossSizes.isEmpty() ? 0 : lossSizes.back(), worstLateMs);
    QCOMPARE(finished.front().at(1).toString(), QStringLiteral("finished"));
    const qint64 runId = finished.front().at(0).toLongLong();
    QVERIFY(runId > 0);
    QVERIFY2(lossSizes.size() >= 2, "the loss curve should grow while the run trains");
    QVERIFY(lossSizes.back() > lossSizes.front());
    // 2000 images / 32 = 63 batches per epoch, a point every 2 steps and at each epoch's end.
    QVERIFY(w.livePlot()->pointCount(QStringLiteral("train/loss")) >= 60);
    QCOMPARE(w.livePlot()->pointCount(QStringLiteral("test/acc")), 2);
    bool density = false;
    for (const auto& s : w.livePlot()->seriesNames())
      if (s.startsWith(QLatin1String("density/")) && w.livePlot()->pointCount(s) > 10) density = true;
    QVERIFY2(density, qPrintable(w.livePlot()->seriesNames().join(QLatin1Char(' '))));
    // Thresholds and scales of the ternary layers are drawn over steps too (TWN: Δ = 0.7·E|W| > 0).
    QVERIFY(w.livePlot()->pointCount(QStringLiteral("threshold/conv2")) > 10);
    QVERIFY(w.livePlot()->pointCount(QStringLiteral("scale/fc1")) > 10);
    QVERIFY(w.livePlot()->valueAt(QStringLiteral("threshold/conv2"), 0) > 0);
    QVERIFY(w.livePlot()->replotCount() >= 2);
    QVERIFY2(worstLateMs < 100, qPrintable(QStringLiteral("GUI blocked for %1 ms").arg(worstLateMs)));

    auto* model = w.runBrowser()->model();
    const int row = model->rowOf(runId);
    QVERIFY(row >= 0);
    QCOMPARE(model->index(row, RunTableModel::StatusColumn).data().toString(), QStringLiteral("finished"));
    QCOMPARE(model->index(row, 1).data().toString(), QStringLiteral("gui-tiny"));
    QVERIFY(start->isEnabled());
  }

  // Processes = 2: the window's thread is rank 0 (its curves live), one ternlab-cli process is rank 1, and the
  // browser shows one run trained by 2 ranks.
  void twoProcessesTrainOneRunWithLiveCurves() {
    QTemporaryDir dir;
    qputenv("TERNLAB_CLI", TERNLAB_CLI_PATH);
    MainWindow w(dir.filePath(QStringLiteral("runs.sqlite")));
    w.show();
    fillTinyExperiment(w, 1);
    field<QSpinBox>(w, "processes")->setValue(2);
    QSignalSpy finished(&w, &MainWindow::trainingFinished);
    QTest::mouseClick(field<QPushButton>(w, "startButton"), Qt::LeftButton);
    QVERIFY(finished.wait(240000));
    QCOMPARE(finished.front().at(1).toString(), QStringLiteral("finished"));
    const qint64 runId = finished.front().at(0).toLongLong();
    // 2000 images / (2 ranks × 32) = 32 global steps, a point every 2 steps.
    QVERIFY2(w.livePlot()->pointCount(QStringLiteral("train/loss")) >= 16,
             qPrintable(QString::number(w.livePlot()->pointCount(QStringLiteral("train/loss")))));
    QVERIFY2(w.livePlot()->pointCount(QStringLiteral("train/loss")) <= 17, "rank 0 draws the global steps, once");
    auto* model = w.runBrowser()->model();
    model->refresh();
    const int row = model->rowOf(runId);
    QVERIFY(row >= 0);
    QVERIFY2(model->index(row, 3).data().toString().contains(QStringLiteral("2 ranks")),
             qPrintable(model->index(row, 3).data().toString()));
    QCOMPARE(model->rowCount(QModelIndex()), 1);  // rank 1 recorded nothing in this store
    qunsetenv("TERNLAB_CLI");
  }

  void stopCancelsTheRun() {
    QTemporaryDir dir;
    MainWindow w(dir.filePath(QStringLiteral("runs.sqlite")));
    w.show();
    fillTinyExperiment(w, 200);
    QSignalSpy finished(&w, &MainWindow::trainingFinished);
    QTest::mouseClick(field<QPushButton>(w, "startButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(w.livePlot()->pointCount(QStringLiteral("train/loss")) > 3, 120000);
    QTest::mouseClick(field<QPushButton>(w, "stopButton"), Qt::LeftButton);
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.front().at(1).toString(), QStringLiteral("cancelled"));
    const int row = w.runBrowser()->model()->rowOf(finished.front().at(0).toLongLong());
    QVERIFY(row >= 0);
    QCOMPARE(w.runBrowser()->model()->index(row, RunTableModel::StatusColumn).data().toString(),
             QStringLiteral("cancelled"));
  }

  void opensAnotherDatabaseOrNamesTheBadFile() {
    QTemporaryDir dir;
    MainWindow w(dir.filePath(QStringLiteral("a.sqlite")));
    w.show();
    const QString junk = dir.filePath(QStringLiteral("notes.sqlite"));
    {
      QFile f(junk);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("these are not the runs you are looking for, but they are long enough to be a header....");
    }
    QString error;
    QVERIFY(!w.openDatabase(junk, &error));
    QVERIFY2(error.contains(junk), qPrintable(error));
    QVERIFY(w.isVisible());  // nothing changed
    QVERIFY(w.openDatabase(dir.filePath(QStringLiteral("b.sqlite")), &error));
    MainWindow* opened = nullptr;
    for (auto* top : QApplication::topLevelWidgets())
      if (auto* m = qobject_cast<MainWindow*>(top); m && m != &w) opened = m;
    QVERIFY(opened);
    QCOMPARE(opened->databasePath(), dir.filePath(QStringLiteral("b.sqlite")));
    QVERIFY(!w.isVisible());
    opened->close();  // deletes itself
  }

  // Several runs at once, in small: two runs at once, both drawn live, one stopped, the other finishing.
  void twoRunsTrainAtOnceAndOneIsStopped() {
    QTemporaryDir dir;
    MainWindow w(dir.filePath(QStringLiteral("runs.sqlite")));
    w.resize(1200, 800);
    w.show();
    fillTinyExperiment(w, 1);
    field<QLineEdit>(w, "name")->setText(QStringLiteral("first"));
    field<QSpinBox>(w, "trainLimit")->setValue(1000);
    QSignalSpy finished(&w, &MainWindow::trainingFinished);
    auto* start = field<QPushButton>(w, "startButton");
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(start->isEnabled());  // a second run may start while the first trains
    field<QLineEdit>(w, "name")->setText(QStringLiteral("second"));
    field<QSpinBox>(w, "epochs")->setValue(50);  // long: it will be stopped
    QTest::mouseClick(start, Qt::LeftButton);
    QCOMPARE(w.runningCount(), 2);
    QCOMPARE(w.livePlot()->sourceCount(), 2);
    auto* running = field<QComboBox>(w, "runningRuns");
    QCOMPARE(running->count(), 2);
    QCOMPARE(running->currentText(), QStringLiteral("#2 second"));
    // Both runs' curves grow: the first's under plain names, the second's prefixed "#2 ".
    QTRY_VERIFY_WITH_TIMEOUT(w.livePlot()->pointCount(QStringLiteral("train/loss")) > 3 &&
                                 w.livePlot()->pointCount(QStringLiteral("#2 train/loss")) > 3,
                             120000);
    QTest::mouseClick(field<QPushButton>(w, "stopButton"), Qt::LeftButton);  // stops the chosen one: #2
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 240000);
    QStringList statuses;
    for (const auto& args : finished) statuses << args.at(1).toString();
    statuses.sort();
    QCOMPARE(statuses, (QStringList{QStringLiteral("cancelled"), QStringLiteral("finished")}));
    QCOMPARE(w.runningCount(), 0);
    QVERIFY(!field<QPushButton>(w, "stopButton")->isEnabled());
    auto* model = w.runBrowser()->model();
    for (const auto& args : finished) {
      const int row = model->rowOf(args.at(0).toLongLong());
      QVERIFY(row >= 0);
      QCOMPARE(model->index(row, RunTableModel::StatusColumn).data().toString(), args.at(1).toString());
      QCOMPARE(model->index(row, 1).data().toString(),
               args.at(1).toString() == QLatin1String("cancelled") ? QStringLiteral("second") : QStringLiteral("first"));
    }
  }
};

TERNLAB_VIEW_TEST_SUITE(MainWindowTest);
#include "MainWindowTest.moc"
