// Kernel view: a real tiny REL run, exported by the real CLI; every colour-map cell must hold exactly the
// exported latent weight / code of the element it claims to show.
#include <QLabel>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "KernelView.h"
#include "PlotIncludes.h"
#include "ViewTestSupport.h"
#include "config/ExperimentConfig.h"
#include "io/Npz.h"
#include "train/ExperimentRunner.h"

using namespace ternlab;
using namespace ternlab::views;

namespace {
const npz::Member* member(const std::vector<npz::Member>& all, const std::string& name) {
  for (const auto& m : all)
    if (m.name == name) return &m;
  return nullptr;
}
}  // namespace

class KernelViewTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void mapsHoldExactlyTheExportedCodes() {
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("runs.sqlite"));
    const auto cfg = config::parseExperimentText(R"({"name": "kernels", "dataset": {"train_limit": 256, "test_limit": 128},
        "quant": {"weights": {"scheme": "ics", "factor": 0.05, "branches": 2, "betas": [0.05, 0.1]}},
        "epochs": 1, "batch_size": 64, "threads": 1})");
    train::TrainingObserver quiet;
    train::StopToken never;
    const auto out = train::runExperiment(cfg, {db.toStdString()}, quiet, never);
    QCOMPARE(QString::fromLatin1(store::runStatusName(out.status)), QStringLiteral("finished"));

    const QString npzPath = dir.filePath(QStringLiteral("kernels.npz"));
    QProcess cli;
    cli.start(QStringLiteral(TERNLAB_CLI_PATH), {QStringLiteral("export"), QString::number(out.runId), QStringLiteral("--db"), db,
                                                  QStringLiteral("--format"), QStringLiteral("npz"), QStringLiteral("--out"), npzPath});
    QVERIFY(cli.waitForFinished(120000));
    QCOMPARE(cli.exitCode(), 0);
    const auto exported = npz::readNpz(npzPath.toStdString());

    KernelView view(db);
    QSignalSpy loaded(&view, &KernelView::loaded);
    view.setRun(out.runId);
    QVERIFY(loaded.wait(120000));
    QVERIFY2(view.errorText().isEmpty(), qPrintable(view.errorText()));
    QCOMPARE(view.layerNames(), (QStringList{QStringLiteral("conv2"), QStringLiteral("fc1"), QStringLiteral("fc2")}));
    QVERIFY(view.checkpointLabels().contains(QStringLiteral("epoch 001")));
    QCOMPARE(view.checkpointLabels().back(), QStringLiteral("final"));

    for (const QString layer : {QStringLiteral("conv2"), QStringLiteral("fc1")}) {
      view.selectLayer(layer);
      view.selectInputChannel(2);
      const auto* s = view.currentSnapshot();
      QVERIFY(s);
      QCOMPARE(view.codeMaps().size(), std::size_t(2));  // REL T_ex = 2: one map per branch
      const auto w = member(exported, layer.toStdString() + "/weight")->tensor.contiguous();
      const auto* wp = w.data_ptr<float>();
      std::int64_t cells = 0;
      for (int b = 0; b < 2; ++b) {
        const auto codes = member(exported, layer.toStdString() + "/codes_b" + std::to_string(b))->tensor.contiguous();
        const auto* cp = codes.data_ptr<std::int8_t>();
        auto* data = view.codeMaps()[b]->data();
        cells = 0;
        for (int row = 0; row < data->valueSize(); ++row)
          for (int col = 0; col < data->keySize(); ++col) {
            std::int64_t i = 0;
            if (!view.elementAt(col, row, &i)) {
              QVERIFY(std::isnan(data->cell(col, row)));
              continue;
            }
            ++cells;
            QCOMPARE(data->cell(col, row), static_cast<double>(cp[i]));
            QCOMPARE(view.latentMap()->data()->cell(col, row), static_cast<double>(wp[i]));
            if (layer == QLatin1String("conv2")) QCOMPARE((i / 25) % 6, std::int64_t(2));  // input channel 2 (5×5 kernels)
          }
      }
      // conv2: one 5×5 kernel per output channel for the chosen input channel; fc1: the whole matrix.
      QCOMPARE(cells, layer == QLatin1String("conv2") ? std::int64_t(16 * 25) : std::int64_t(120 * 400));
    }

    // Hovering a cell names the element and its values.
    view.resize(1000, 700);
    view.show();
    view.selectLayer(QStringLiteral("conv2"));
    auto* rect = view.latentMap()->keyAxis()->axisRect();
    view.mapsPlot()->replot();
    const QPoint at(static_cast<int>(rect->axis(QCPAxis::atBottom)->coordToPixel(0)),
                    static_cast<int>(rect->axis(QCPAxis::atLeft)->coordToPixel(0)));
    QMouseEvent move(QEvent::MouseMove, at, view.mapsPlot()->mapToGlobal(at), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QCoreApplication::sendEvent(view.mapsPlot(), &move);
    const QString hover = view.findChild<QLabel*>(QStringLiteral("kernelHover"))->text();
    QVERIFY2(hover.startsWith(QStringLiteral("conv2[out 0, in 2, y 0, x 0]")), qPrintable(hover));
    QVERIFY(view.histogramPlot()->itemCount() == 4);  // ±Δ of each of the two branches
  }
};

TERNLAB_VIEW_TEST_SUITE(KernelViewTest);
#include "KernelViewTest.moc"
