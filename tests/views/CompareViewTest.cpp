// Compare view: only differing config keys, one curve per run, CSV export.
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
};

TERNLAB_VIEW_TEST_SUITE(CompareViewTest);
#include "CompareViewTest.moc"
