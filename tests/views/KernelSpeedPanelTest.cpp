// Kernel speed panel: a real (quick) benchmark run from the button, drawn and recorded in the store.
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "KernelSpeedPanel.h"
#include "PlotIncludes.h"
#include "ViewTestSupport.h"
#include "store/RunStore.h"

using namespace ternlab;
using namespace ternlab::views;

class KernelSpeedPanelTest : public QObject {
  Q_OBJECT
  // Clicks `button` and waits for the measurement it starts; meanwhile the panel is busy and its buttons are off.
  static void measureFrom(KernelSpeedPanel& panel, const char* button, int timeoutMs) {
    QSignalSpy done(&panel, &KernelSpeedPanel::finished);
    QTest::mouseClick(panel.findChild<QPushButton*>(QLatin1String(button)), Qt::LeftButton);
    QVERIFY(panel.isRunning());
    QVERIFY(!panel.findChild<QPushButton*>(QStringLiteral("benchButton"))->isEnabled());
    QVERIFY(done.wait(timeoutMs));
  }

 private Q_SLOTS:
  void measuresDrawsAndRecords() {
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("runs.sqlite"));
    KernelSpeedPanel panel(db);
    measureFrom(panel, "benchButton", 600000);
    if (QTest::currentTestFailed()) return;
    const auto& r = panel.result();
    QVERIFY(!r.rows.empty());
    QVERIFY(r.boundMacPerCycle > 0);
    // One speed-up bar set and one MAC/cycle bar set per ternary kernel, one bar per measured shape.
    int kernelRows = 0;
    for (const auto& row : r.rows) kernelRows += row.level == "kernel" && row.kernel.rfind("torch", 0) != 0;
    int bars = 0;
    for (int i = 0; i < panel.speedupPlot()->plottableCount(); ++i)
      bars += qobject_cast<QCPBars*>(panel.speedupPlot()->plottable(i))->data()->size();
    QCOMPARE(bars, kernelRows);
    for (int i = 0; i < panel.speedupPlot()->plottableCount(); ++i) {
      auto* b = qobject_cast<QCPBars*>(panel.speedupPlot()->plottable(i));
      for (auto it = b->data()->begin(); it != b->data()->end(); ++it) QVERIFY(it->value > 0);
    }
    QCOMPARE(panel.boundPlot()->itemCount(), 2);  // the bound line and its label
    // Recorded as a bench run, as `ternlab-cli bench` does.
    QVERIFY(panel.recordedRun() > 0);
    store::RunStore store(db.toStdString());
    QCOMPARE(QString::fromStdString(store.run(panel.recordedRun())->kind), QStringLiteral("bench"));
  }

  // A panel opened on a store draws the newest bench run's network rows: per row the engine's and fake-quant's
  // images/s over fp32, from the recorded numbers (an older network run and a newer kernel-only run ignored).
  void drawsTheNewestRecordedNetworkRows() {
    QTemporaryDir dir;
    const std::string db = dir.filePath(QStringLiteral("runs.sqlite")).toStdString();
    auto networkRun = [](double scale) {
      engine::BenchSuiteResult r;
      r.isa = "avx2", r.threads = 2, r.baselineIsa = "AVX2";
      for (const char* shape : {"resnet20_1x28_b64_t1", "lenet5_1x28_b1_t2"}) {
        engine::BenchRow row;
        row.level = "network", row.kernel = "network", row.shape = shape;
        row.imagesPerSecond = 3000 * scale, row.torchImagesPerSecond = 600, row.torchFpImagesPerSecond = 1000;
        row.ratioToTorch = row.imagesPerSecond / row.torchFpImagesPerSecond;
        row.onnxRuntimeFpImagesPerSecond = scale > 1 ? 1500 : 0;  // measured in the newer run only
        r.rows.push_back(row);
      }
      return r;
    };
    engine::recordBench(networkRun(1.0), db);
    const auto newest = engine::recordBench(networkRun(2.0), db);
    engine::BenchSuiteResult kernelsOnly;
    engine::BenchRow k;
    k.level = "kernel", k.kernel = "ternary2pop", k.shape = "fc_512", k.macPerCycle = 50, k.ratioToTorch = 3;
    kernelsOnly.rows.push_back(k);
    engine::recordBench(kernelsOnly, db);

    KernelSpeedPanel panel(QString::fromStdString(db));
    QCOMPARE(panel.shownNetworkRun(), newest);
    QCustomPlot* plot = panel.networkPlot();
    QCOMPARE(plot->plottableCount(), 3);
    for (int i = 0; i < 3; ++i) {
      auto* bars = qobject_cast<QCPBars*>(plot->plottable(i));
      QCOMPARE(bars->data()->size(), 2);
      // 6000 / 1000, 600 / 1000, 1500 / 1000 (ONNX Runtime, read back from the store)
      const double want = bars->name() == QStringLiteral("packed engine") ? 6.0
                          : bars->name() == QStringLiteral("ONNX Runtime fp32") ? 1.5 : 0.6;
      for (auto it = bars->data()->begin(); it != bars->data()->end(); ++it) QCOMPARE(it->value, want);
    }
    const QString summary = panel.findChild<QLabel*>(QStringLiteral("benchNetworkSummary"))->text();
    QVERIFY(summary.contains(QString::number(newest)));
    QVERIFY2(summary.contains(QStringLiteral("oneDNN ISA AVX2")), qPrintable(summary));  // the baseline's cap, recorded
  }

  // The network button measures every architecture's rows for real, draws one bar per row and records them.
  void measuresNetworksFromTheButton() {
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("runs.sqlite"));
    KernelSpeedPanel panel(db);
    measureFrom(panel, "benchNetworksButton", 900000);
    if (QTest::currentTestFailed()) return;
    int networkRows = 0;
    for (const auto& row : panel.result().rows) networkRows += row.level == "network";
    QVERIFY(networkRows >= 8);  // four architectures x batch 64 and 1, at least one thread count
    auto* packed = qobject_cast<QCPBars*>(panel.networkPlot()->plottable(0));
    QCOMPARE(packed->data()->size(), networkRows);
    for (auto it = packed->data()->begin(); it != packed->data()->end(); ++it) QVERIFY(it->value > 0);
    QVERIFY(panel.recordedRun() > 0);
    QCOMPARE(panel.shownNetworkRun(), panel.recordedRun());
    QCOMPARE(static_cast<int>(engine::latestNetworkBench(db.toStdString()).result.rows.size()), networkRows);
  }
};

TERNLAB_VIEW_TEST_SUITE(KernelSpeedPanelTest);
#include "KernelSpeedPanelTest.moc"
