// Compare view: only differing config keys, one curve per run, CSV export; seed groups as one band.
#include <QCheckBox>
#include <QFile>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "CompareView.h"
#include "ConfigDiff.h"
#include "PlotIncludes.h"
#include "ViewTestSupport.h"

using namespace ternlab;
using namespace ternlab::views;
using nlohmann::json;

class CompareViewTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void diffKeepsOnlyDifferingKeys() {
    const auto rows = diffConfigs({{{"a", "1"}, {"b", "x"}}, {{"a", "1"}, {"b", "y"}, {"c", "2"}}});
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].key, QStringLiteral("b"));
    QCOMPARE(rows[1].key, QStringLiteral("c"));
    QCOMPARE(rows[1].values, (QStringList{QStringLiteral("—"), QStringLiteral("2")}));
    QCOMPARE(diffConfigs({{{"a", "1"}}, {{"a", "1"}}}, true).size(), 1);
    QVERIFY(diffConfigs({{{"a", "1"}}, {{"a", "1"}}}).isEmpty());
  }

  void compareShowsOnlyTheKeysThatDiffer() {
    QTemporaryDir dir;
    auto store = std::make_shared<store::RunStore>(dir.filePath(QStringLiteral("runs.sqlite")).toStdString());
    const json base{{"name", "same"}, {"epochs", 2}, {"quant", {{"weights", {{"scheme", "twn"}}}}}};
    json b = base, c = base;
    b["optimizer"] = {{"lr", 0.01}};
    c["optimizer"] = {{"lr", 0.2}};
    c["seed"] = 5;
    const auto ia = test::addRun(*store, base, "finished", {50, 60});
    const auto ib = test::addRun(*store, b, "finished", {55, 65, 70});
    const auto ic = test::addRun(*store, c, "finished", {40});

    CompareView view(store);
    view.setRuns({ia, ib, ic});
    auto* table = view.configTable();
    QStringList keys;
    for (int r = 0; r < table->rowCount(); ++r) keys << table->verticalHeaderItem(r)->text();
    QCOMPARE(keys, (QStringList{QStringLiteral("optimizer.lr"), QStringLiteral("seed")}));
    QCOMPARE(table->columnCount(), 3);
    QCOMPARE(table->item(1, 2)->text(), QStringLiteral("5"));

    view.setShowAllKeys(true);
    QCOMPARE(static_cast<std::size_t>(table->rowCount()), store->params(ia).size());
    view.setShowAllKeys(false);
    QCOMPARE(table->rowCount(), 2);

    view.setMetric(QStringLiteral("test/acc"));
    QCOMPARE(view.plot()->graphCount(), 3);
    QCOMPARE(view.plot()->graph(1)->dataCount(), 3);
    QCOMPARE(view.metricsTable()->rowCount(), 3);
    QCOMPARE(view.metricsTable()->item(1, 0)->text(), QStringLiteral("70.0000"));

    const QString csv = dir.filePath(QStringLiteral("compare.csv"));
    QString error;
    QVERIFY2(view.exportCsv(csv, &error), qPrintable(error));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(f.readAll());
    QVERIFY(text.contains(QLatin1String("optimizer.lr,0.05,0.01,0.2")));
    const QString png = dir.filePath(QStringLiteral("compare.png"));
    QVERIFY2(view.exportPlot(png, &error), qPrintable(error));
    QVERIFY(QFile(png).size() > 1000);
  }

  // Three seeds of one experiment and one other run: two series, the group as a mean curve inside a min–max
  // band and its final test accuracy as mean ± 95 % CI; the other run tested against it.
  void seedGroupDrawsOneBandAndOneIntervalCell() {
    QTemporaryDir dir;
    auto store = std::make_shared<store::RunStore>(dir.filePath(QStringLiteral("runs.sqlite")).toStdString());
    json base{{"name", "grouped"}, {"epochs", 2}, {"quant", {{"weights", {{"scheme", "twn"}}}}}};
    QVector<qint64> ids;
    const std::vector<std::vector<double>> curves{{80, 90.91}, {84, 90.00}, {82, 91.10}};
    for (int s = 0; s < 3; ++s) {
      base["seed"] = s + 1;
      ids << test::addRun(*store, base, "finished", curves[s]);
    }
    json other = base;
    other["optimizer"] = {{"lr", 0.2}};
    ids << test::addRun(*store, other, "finished", {70, 75});

    CompareView view(store);
    view.setRuns(ids);
    QCOMPARE(view.seriesCount(), 2);
    QCOMPARE(view.seriesRuns(0), (QVector<qint64>{ids[0], ids[1], ids[2]}));
    view.setMetric(QStringLiteral("test/acc"));
    auto* plot = view.plot();
    QCOMPARE(plot->graphCount(), 4);  // the band's two edges, the group's mean, the other run
    int bands = 0;
    for (int g = 0; g < plot->graphCount(); ++g)
      if (plot->graph(g)->channelFillGraph()) ++bands;
    QCOMPARE(bands, 1);
    QCOMPARE(plot->graph(0)->data()->at(1)->value, 91.10);  // upper edge: the max at step 200
    QCOMPARE(plot->graph(1)->data()->at(1)->value, 90.00);  // lower edge: the min
    QVERIFY(qAbs(plot->graph(2)->data()->at(1)->value - 90.67) < 1e-9);  // the mean curve
    QCOMPARE(plot->legend->itemCount(), 2);

    auto* table = view.metricsTable();
    QCOMPARE(table->rowCount(), 2);
    // 90.91, 90.00, 91.10: mean 90.67, t_{0.975,2} · s / √3 = 1.46.
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("90.67 ± 1.46 (n=3)"));
    QCOMPARE(table->item(1, 0)->text(), QStringLiteral("75.0000"));
    int intervalCells = 0;
    for (int r = 0; r < table->rowCount(); ++r)
      for (int c = 0; c < table->columnCount(); ++c)
        if (table->item(r, c) && table->item(r, c)->text().contains(QStringLiteral("±"))) ++intervalCells;
    QCOMPARE(intervalCells, 3);  // test/acc, train/loss and best test/acc of the group's row
    const QString vsFirst = table->item(1, table->columnCount() - 1)->text();
    QVERIFY2(vsFirst.startsWith(QStringLiteral("-15.67")), qPrintable(vsFirst));  // one run: no test, only Δ
    QCOMPARE(view.configTable()->item(view.configTable()->rowCount() - 1, 0)->text(), QStringLiteral("1,2,3"));

    view.setGroupSeeds(false);
    QCOMPARE(view.seriesCount(), 4);
    QCOMPARE(plot->graphCount(), 4);
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("90.9100"));
  }
};

TERNLAB_VIEW_TEST_SUITE(CompareViewTest);
#include "CompareViewTest.moc"
