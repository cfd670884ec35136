// Density view: bars per layer from layer_stat at the chosen step.
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include "DensityPlot.h"
#include "PlotIncludes.h"
#include "ViewTestSupport.h"

using namespace ternlab;
using namespace ternlab::views;

class DensityPlotTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void barsFollowTheLayerStats() {
    QTemporaryDir dir;
    auto store = std::make_shared<store::RunStore>(dir.filePath(QStringLiteral("runs.sqlite")).toStdString());
    const auto id = test::addRun(*store, nlohmann::json{{"name", "d"}}, "finished", {50});
    std::vector<store::LayerStatRow> rows;
    for (std::int64_t step : {10, 20}) {
      for (const char* layer : {"conv2", "fc1"}) {
        store::LayerStatRow r;
        r.step = step;
        r.layer = layer;
        r.numel = 100;
        r.fracNeg = step == 10 ? 0.3 : 0.2;
        r.fracZero = step == 10 ? 0.4 : 0.6;
        r.fracPos = step == 10 ? 0.3 : 0.2;
        rows.push_back(r);
      }
    }
    store->logLayerStats(id, rows);
    DensityPlot plot(store);
    plot.setRun(id);
    QCOMPARE(plot.layers(), (QStringList{QStringLiteral("conv2"), QStringLiteral("fc1")}));
    QCOMPARE(plot.plot()->plottableCount(), 3);
    auto* zero = qobject_cast<QCPBars*>(plot.plot()->plottable(1));
    QVERIFY(zero);
    QCOMPARE(zero->data()->at(0)->value, 0.6);  // the latest step by default
    plot.findChild<QSlider*>(QStringLiteral("densityStep"))->setValue(0);
    zero = qobject_cast<QCPBars*>(plot.plot()->plottable(1));
    QCOMPARE(zero->data()->at(0)->value, 0.4);
  }
};

TERNLAB_VIEW_TEST_SUITE(DensityPlotTest);
#include "DensityPlotTest.moc"
