// Live plot: EMA smoothing of per-step curves (applied to the data, recomputed when changed), log loss
// axis, legend toggles, hover read-out, several sources at once.
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QtTest>
#include <cmath>

#include "LivePlot.h"
#include "PlotIncludes.h"
#include "ViewTestSupport.h"

using namespace ternlab::views;

class LivePlotTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void smoothsLogsTogglesAndReadsOut() {
    LivePlot plot;
    plot.resize(900, 700);
    plot.show();
    auto buffer = std::make_shared<LiveBuffer>();
    plot.attach(buffer);
    plot.setSmoothing(0.5);
    const QVector<double> loss{2.0, 1.0, 3.0, 0.5};
    for (int i = 0; i < 2; ++i) buffer->append({{QStringLiteral("train/loss"), double(i + 1), loss[i]}});
    buffer->append({{QStringLiteral("test/acc"), 2.0, 60.0}});
    plot.flush();
    for (int i = 2; i < 4; ++i) buffer->append({{QStringLiteral("train/loss"), double(i + 1), loss[i]}});
    plot.flush();  // the EMA continues across flushes
    double ema = loss[0];
    for (int i = 0; i < 4; ++i) {
      if (i) ema = 0.5 * ema + 0.5 * loss[i];
      QCOMPARE(plot.valueAt(QStringLiteral("train/loss"), i), ema);
    }
    QCOMPARE(plot.valueAt(QStringLiteral("test/acc"), 0), 60.0);  // epoch curves are never smoothed
    // Through the widget: smoothing 0 shows the raw points again.
    plot.findChild<QDoubleSpinBox*>(QStringLiteral("smoothing"))->setValue(0.0);
    for (int i = 0; i < 4; ++i) QCOMPARE(plot.valueAt(QStringLiteral("train/loss"), i), loss[i]);

    plot.findChild<QCheckBox*>(QStringLiteral("logLoss"))->setChecked(true);
    auto* lossGraph = [&] {
      for (int i = 0; i < plot.plot()->graphCount(); ++i)
        if (plot.plot()->graph(i)->name() == QLatin1String("train/loss")) return plot.plot()->graph(i);
      return static_cast<QCPGraph*>(nullptr);
    }();
    QVERIFY(lossGraph);
    QCOMPARE(lossGraph->valueAxis()->scaleType(), QCPAxis::stLogarithmic);

    // Hovering the last loss point reads it out.
    plot.plot()->replot();
    const QPointF at(lossGraph->keyAxis()->coordToPixel(4), lossGraph->valueAxis()->coordToPixel(0.5));
    QVERIFY2(plot.readoutAt(at).startsWith(QStringLiteral("train/loss · step 4 · 0.5")), qPrintable(plot.readoutAt(at)));

    // A click on a legend entry hides its curve, a second shows it again.
    QCPLegend* legend = nullptr;
    for (auto* rect : plot.plot()->axisRects())
      for (int i = 0; i < rect->insetLayout()->elementCount(); ++i)
        if (auto* l = qobject_cast<QCPLegend*>(rect->insetLayout()->elementAt(i)); l && l->itemWithPlottable(lossGraph))
          legend = l;
    QVERIFY(legend);
    const QPoint item = legend->itemWithPlottable(lossGraph)->rect().center();
    QTest::mouseClick(plot.plot(), Qt::LeftButton, Qt::NoModifier, item);
    QVERIFY(!plot.isSeriesVisible(QStringLiteral("train/loss")));
    QTest::mouseClick(plot.plot(), Qt::LeftButton, Qt::NoModifier, item);
    QVERIFY(plot.isSeriesVisible(QStringLiteral("train/loss")));

    // A second source: its curves carry its prefix and are smoothed on their own.
    auto other = std::make_shared<LiveBuffer>();
    plot.addSource(other, QStringLiteral("#2 "));
    other->append({{QStringLiteral("train/loss"), 1.0, 9.0}});
    plot.flush();
    QCOMPARE(plot.valueAt(QStringLiteral("#2 train/loss"), 0), 9.0);
    QCOMPARE(plot.sourceCount(), 2);
    plot.removeSource(other);
    QCOMPARE(plot.sourceCount(), 1);
    QCOMPARE(plot.pointCount(QStringLiteral("#2 train/loss")), 1);  // its curve stays

    // A dark system palette: axes, labels and legends take its text colour at the next replot.
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(30, 30, 34));
    dark.setColor(QPalette::Text, QColor(230, 230, 230));
    plot.setPalette(dark);
    plot.plot()->replot();
    QCOMPARE(lossGraph->valueAxis()->basePen().color(), QColor(230, 230, 230));
    QCOMPARE(lossGraph->valueAxis()->tickLabelColor(), QColor(230, 230, 230));
    QCOMPARE(legend->textColor(), QColor(230, 230, 230));
  }
};

TERNLAB_VIEW_TEST_SUITE(LivePlotTest);
#include "LivePlotTest.moc"
