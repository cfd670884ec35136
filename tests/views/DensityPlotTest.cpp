// Density view: bars per layer from layer_stat at the chosen step.
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include <QSignalSpy>
#include <QTableWidget>

#include "DensityPlot.h"
#include "config/ExperimentConfig.h"
#include "report/KernelSnapshot.h"
#include "train/ExperimentRunner.h"
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

  // A real FP → REL (T_ex = 2) pipeline: one bar per layer and branch, the initial density of each from the
  // FP checkpoint (checked against the export path's codes), and the model summary table.
  void realRelPipelineShowsBranchesInitialDensityAndReport() {
    QTemporaryDir dir;
    const auto db = dir.filePath(QStringLiteral("runs.sqlite")).toStdString();
    const auto cfg = config::parseExperimentText(R"({"name": "rel", "dataset": {"train_limit": 400, "test_limit": 100},
        "quant": {"weights": {"scheme": "ics", "factor": 0.05, "branches": 2}}, "threads": 1, "batch_size": 64,
        "stages": [{"name": "fp", "epochs": 1, "quant": {"weights": {"scheme": "none"}}}, {"name": "rel", "epochs": 1}]})");
    train::TrainingObserver quiet;
    train::StopToken never;
    const auto out = train::runExperiment(cfg, {db}, quiet, never);
    QCOMPARE(QString::fromLatin1(store::runStatusName(out.status)), QStringLiteral("finished"));
    auto store = std::make_shared<store::RunStore>(db);

    DensityPlot plot(store);
    QSignalSpy loaded(&plot, &DensityPlot::reportLoaded);
    plot.setRun(out.runId);
    QCOMPARE(plot.layers(), (QStringList{QStringLiteral("conv2 b0"), QStringLiteral("conv2 b1"), QStringLiteral("fc1 b0"),
                                         QStringLiteral("fc1 b1"), QStringLiteral("fc2 b0"), QStringLiteral("fc2 b1")}));
    QVERIFY(loaded.wait(120000));
    const auto fpStage = store->children(out.runId).front();
    const auto fpCheckpoint = store->artefacts(fpStage, "checkpoint-final").back().path;
    const auto snaps = report::kernelSnapshots(db, out.runId, fpCheckpoint);
    const auto initial = plot.initialDensity();
    QCOMPARE(initial.size(), 6);
    int i = 0;
    for (const auto& s : snaps) {
      if (!s.ternary) continue;
      for (std::size_t b = 0; b < s.codes.size(); ++b, ++i) QCOMPARE(initial[i], s.density(b));
    }
    QVERIFY(initial[1] < initial[0]);  // the larger β of branch 1 keeps fewer weights
    // The drawn markers are those values.
    QCPGraph* markers = plot.plot()->graphCount() ? plot.plot()->graph(0) : nullptr;
    QVERIFY(markers);
    QCOMPARE(markers->dataCount(), 6);
    QCOMPARE(markers->data()->at(3)->value, initial[3]);
    // Model summary: five layers and a total; conv2 holds 16·6·5·5 weights (no bias: BatchNorm follows).
    auto* table = plot.reportTable();
    QCOMPARE(table->rowCount(), 6);
    QCOMPARE(table->item(1, 0)->text(), QStringLiteral("conv2"));
    QCOMPARE(table->item(1, 3)->text(), QStringLiteral("2400"));
    QCOMPARE(table->item(5, 0)->text(), QStringLiteral("total"));
  }
};

TERNLAB_VIEW_TEST_SUITE(DensityPlotTest);
#include "DensityPlotTest.moc"
