// RunTableModel over a real store: Qt's model tester, values and refresh.
#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QtTest>

#include "RunFilterProxy.h"
#include "RunTableModel.h"
#include "ViewTestSupport.h"

using namespace ternlab;
using namespace ternlab::views;
using nlohmann::json;

class RunTableModelTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void passesModelTester() {
    QTemporaryDir dir;
    auto store = std::make_shared<store::RunStore>(dir.filePath(QStringLiteral("runs.sqlite")).toStdString());
    const auto a = test::addRun(*store, json{{"name", "alpha"}, {"optimizer", {{"lr", 0.1}}}}, "finished", {50, 80.5});
    test::addRun(*store, json{{"name", "beta"}}, "failed", {10});
    test::addRun(*store, json{{"name", "gamma"}, {"quant", {{"weights", {{"scheme", "twn"}}}}}}, "running", {});

    RunTableModel model(store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 3);
    const int row = model.rowOf(a);
    QVERIFY(row >= 0);
    QCOMPARE(model.index(row, 1).data().toString(), QStringLiteral("alpha"));
    QCOMPARE(model.index(row, RunTableModel::StatusColumn).data().toString(), QStringLiteral("finished"));
    QCOMPARE(model.index(row, 5).data().toString(), QStringLiteral("80.50"));  // last test acc
    QCOMPARE(model.index(row, 5).data(RunTableModel::SortRole).toDouble(), 80.5);
    // A config column, by its header.
    int lrColumn = -1;
    for (int c = 0; c < model.columnCount(); ++c)
      if (model.headerData(c, Qt::Horizontal).toString() == QLatin1String("optimizer.lr")) lrColumn = c;
    QVERIFY(lrColumn >= 0);
    QCOMPARE(model.index(row, lrColumn).data(RunTableModel::SortRole).toDouble(), 0.1);

    // New runs appear on refresh; the tester checks the reset signals.
    test::addRun(*store, json{{"name", "delta"}}, "finished", {70});
    model.refresh();
    QCOMPARE(model.rowCount(), 4);
    model.setConfigColumns({QStringLiteral("seed")});
    QCOMPARE(model.headerData(model.columnCount() - 1, Qt::Horizontal).toString(), QStringLiteral("seed"));

    // Archived runs leave the default listing.
    store->setLifecycle(a, "archived");
    model.refresh();
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.rowOf(a), -1);
  }

  // Three seeds of one experiment collapse into one row with mean ± CI; the row stands for all three runs.
  void seedGroupsCollapseIntoOneRow() {
    QTemporaryDir dir;
    auto store = std::make_shared<store::RunStore>(dir.filePath(QStringLiteral("runs.sqlite")).toStdString());
    json base{{"name", "grouped"}, {"quant", {{"weights", {{"scheme", "twn"}}}}}};
    QList<qlonglong> members;
    const double finals[] = {90.91, 90.00, 91.10};
    for (int s = 0; s < 3; ++s) {
      base["seed"] = s + 1;
      members << test::addRun(*store, base, "finished", {50, finals[s]});
    }
    base["seed"] = 4;
    test::addRun(*store, base, "failed", {10});  // not finished: stays a row of its own
    test::addRun(*store, json{{"name", "single"}}, "finished", {60});

    RunTableModel model(store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 5);
    model.setCollapseSeedGroups(true);
    QCOMPARE(model.rowCount(), 3);
    const int row = model.rowOf(members[0]);
    QCOMPARE(row, model.rowOf(members[2]));
    QCOMPARE(model.index(row, 0).data(RunTableModel::RunIdRole).toLongLong(), members[2]);  // the newest run
    QCOMPARE(model.index(row, 0).data(RunTableModel::RunIdsRole).value<QList<qlonglong>>(), members);
    QCOMPARE(model.index(row, 1).data().toString(), QStringLiteral("grouped (3 seeds)"));
    QCOMPARE(model.index(row, 5).data().toString(), QStringLiteral("90.67 ± 1.46 (n=3)"));
    QVERIFY(qAbs(model.index(row, 5).data(RunTableModel::SortRole).toDouble() - 90.67) < 1e-9);
    model.setCollapseSeedGroups(false);
    QCOMPARE(model.rowCount(), 5);
  }

  void tagsCarryTheirColour() {
    QTemporaryDir dir;
    auto store = std::make_shared<store::RunStore>(dir.filePath(QStringLiteral("runs.sqlite")).toStdString());
    const auto a = test::addRun(*store, json{{"name", "alpha"}}, "finished", {50});
    const auto b = test::addRun(*store, json{{"name", "beta"}}, "finished", {60});
    store->addTag(a, "baseline", "#d62728");
    RunTableModel model(store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const int tagsColumn = 8;
    QCOMPARE(model.headerData(tagsColumn, Qt::Horizontal).toString(), QStringLiteral("Tags"));
    QCOMPARE(model.index(model.rowOf(a), tagsColumn).data().toString(), QStringLiteral("baseline"));
    QCOMPARE(model.index(model.rowOf(a), tagsColumn).data(Qt::DecorationRole).value<QColor>(), QColor(214, 39, 40));
    QVERIFY(!model.index(model.rowOf(b), tagsColumn).data(Qt::DecorationRole).isValid());
    // Re-tagging with another colour recolours the tag everywhere.
    store->addTag(b, "baseline", "#2ca02c");
    model.refresh();
    QCOMPARE(model.index(model.rowOf(a), tagsColumn).data(Qt::DecorationRole).value<QColor>(), QColor(44, 160, 44));
    QCOMPARE(model.index(model.rowOf(b), 1).data(Qt::BackgroundRole).value<QBrush>().color().rgb(), QColor(44, 160, 44).rgb());
  }

  void proxyFiltersByTagAndDate() {
    QTemporaryDir dir;
    auto store = std::make_shared<store::RunStore>(dir.filePath(QStringLiteral("runs.sqlite")).toStdString());
    const auto a = test::addRun(*store, json{{"name", "alpha"}}, "finished", {50});
    const auto b = test::addRun(*store, json{{"name", "beta"}}, "finished", {60});
    test::addRun(*store, json{{"name", "gamma"}}, "finished", {70});
    store->addTag(a, "baseline");
    store->addTag(b, "baseline-2");
    RunTableModel model(store);
    RunFilterProxy proxy;
    proxy.setSourceModel(&model);
    proxy.setTag(QStringLiteral("baseline"));  // exactly that tag, not one that merely contains it
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 1).data().toString(), QStringLiteral("alpha"));
    proxy.setTag(QString());
    const QDate created = QDate::fromString(model.index(0, RunTableModel::CreatedColumn).data().toString().left(10), Qt::ISODate);
    QVERIFY(created.isValid());
    proxy.setCreatedSince(created);
    QCOMPARE(proxy.rowCount(), 3);
    proxy.setCreatedSince(created.addDays(1));
    QCOMPARE(proxy.rowCount(), 0);
    proxy.setCreatedSince(QDate());
    QCOMPARE(proxy.rowCount(), 3);
  }

  void proxySortsNumbersAndFiltersStatus() {
    QTemporaryDir dir;
    auto store = std::make_shared<store::RunStore>(dir.filePath(QStringLiteral("runs.sqlite")).toStdString());
    test::addRun(*store, json{{"name", "r9"}}, "finished", {9});
    test::addRun(*store, json{{"name", "r80"}}, "finished", {80});
    test::addRun(*store, json{{"name", "r10"}}, "failed", {10});
    RunTableModel model(store);
    RunFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(5, Qt::AscendingOrder);  // numerically: 9 < 10 < 80 (as text 80 < 9)
    QCOMPARE(proxy.index(0, 1).data().toString(), QStringLiteral("r9"));
    QCOMPARE(proxy.index(2, 1).data().toString(), QStringLiteral("r80"));
    proxy.setStatus(QStringLiteral("failed"));
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 1).data().toString(), QStringLiteral("r10"));
  }
};

TERNLAB_VIEW_TEST_SUITE(RunTableModelTest);
#include "RunTableModelTest.moc"
