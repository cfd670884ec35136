// Kernel speed panel: a real (quick) benchmark run from the button, drawn and recorded in the store.
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
 private Q_SLOTS:
  void measuresDrawsAndRecords() {
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("runs.sqlite"));
    KernelSpeedPanel panel(db);
    QSignalSpy done(&panel, &KernelSpeedPanel::finished);
    QTest::mouseClick(panel.findChild<QPushButton*>(QStringLiteral("benchButton")), Qt::LeftButton);
    QVERIFY(panel.isRunning());
    QVERIFY(!panel.findChild<QPushButton*>(QStringLiteral("benchButton"))->isEnabled());
    QVERIFY(done.wait(600000));
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
};

TERNLAB_VIEW_TEST_SUITE(KernelSpeedPanelTest);
#include "KernelSpeedPanelTest.moc"
