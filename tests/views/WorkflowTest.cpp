// A newcomer's workflow through real widgets: the last database and a file argument at start, the Trash
// that restores deleted runs, an editor that follows a dark palette, and a Live tab whose plots fill it.
#include <QApplication>
#include <QCheckBox>
#include <QFile>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "ExperimentForm.h"
#include "LivePlot.h"
#include "MainWindow.h"
#include "PlotIncludes.h"
#include "RunBrowser.h"
#include "StartupChoice.h"
#include "ViewTestSupport.h"

using namespace ternlab::views;

class WorkflowTest : public QObject {
  Q_OBJECT
 private:
  // Answers the next modal message box with `button` once it is shown.
  static void answerNextMessageBox(QMessageBox::StandardButton button) {
    QTimer::singleShot(50, [button] {
      auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
      if (box) box->button(button)->click();
    });
  }
  static QSet<qint64> shownRuns(RunBrowser& b) {
    QSet<qint64> ids;
    auto* view = b.findChild<QTableView*>();
    for (int r = 0; r < view->model()->rowCount(); ++r) {
      const auto id = view->model()->index(r, 0).data(Qt::UserRole + 2).toLongLong();
      if (id) ids.insert(id);
    }
    return ids;
  }
  // The colour after "background:" in a style sheet.
  static QColor backgroundOf(const QString& sheet) {
    const auto m = QRegularExpression(QStringLiteral("background: (#[0-9a-f]{6})")).match(sheet);
    return m.hasMatch() ? QColor(m.captured(1)) : QColor();
  }

 private Q_SLOTS:
  void startReopensTheLastDatabaseAndTakesAFileArgument() {
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("mine.sqlite"));
    { MainWindow w(db); }  // opening a database remembers it
    QSettings settings;
    QCOMPARE(settings.value(QStringLiteral("lastDatabase")).toString(), db);
    auto c = chooseStartup(QString(), QString(), {QStringLiteral("exp.json")}, settings);
    QCOMPARE(c.database, db);
    QCOMPARE(c.experiment, QStringLiteral("exp.json"));  // `ternlab FILE.json`, as the .desktop file runs it
    QVERIFY(c.note.isEmpty());
    c = chooseStartup(dir.filePath(QStringLiteral("other.sqlite")), QStringLiteral("a.json"), {QStringLiteral("b.json")},
                      settings);
    QCOMPARE(c.database, dir.filePath(QStringLiteral("other.sqlite")));  // --db wins
    QCOMPARE(c.experiment, QStringLiteral("a.json"));                    // --experiment wins
    QFile::remove(db);
    c = chooseStartup(QString(), QString(), {}, settings);
    QCOMPARE(c.database, QString::fromStdString(ternlab::store::defaultDatabasePath()));
    QVERIFY(c.note.contains(db));
    QVERIFY(c.experiment.isEmpty());
  }

  void trashRestoresDeletedRuns() {
    QTemporaryDir dir;
    auto store = std::make_shared<ternlab::store::RunStore>(dir.filePath(QStringLiteral("runs.sqlite")).toStdString());
    const nlohmann::json exp = {{"name", "kept"}, {"epochs", 1}};
    const auto a = test::addRun(*store, exp, "finished", {50});
    const auto b = test::addRun(*store, {{"name", "binned"}, {"epochs", 1}}, "finished", {60});
    RunBrowser browser(store);
    browser.show();
    QCOMPARE(shownRuns(browser), (QSet<qint64>{a, b}));
    browser.selectRuns({b});
    answerNextMessageBox(QMessageBox::No);  // delete asks, and No keeps the run
    browser.deleteSelected();
    QCOMPARE(shownRuns(browser), (QSet<qint64>{a, b}));
    browser.selectRuns({b});
    answerNextMessageBox(QMessageBox::Yes);
    browser.deleteSelected();
    QCOMPARE(shownRuns(browser), (QSet<qint64>{a}));
    auto* trash = browser.findChild<QCheckBox*>(QStringLiteral("trash"));
    QVERIFY(trash);
    trash->setChecked(true);
    QCOMPARE(shownRuns(browser), (QSet<qint64>{b}));  // the Trash shows deleted runs only
    browser.selectRuns({b});
    browser.restoreSelected();
    QCOMPARE(shownRuns(browser), QSet<qint64>());
    trash->setChecked(false);
    QCOMPARE(shownRuns(browser), (QSet<qint64>{a, b}));
    QCOMPARE(store->run(b)->lifecycle, std::string("active"));
  }

  void editorFollowsADarkPalette() {
    const QPalette before = QApplication::palette();
    ExperimentForm form;
    const QColor lightTint = backgroundOf(form.styleSheet());
    QPalette dark = before;  // a dark desktop theme switched on while the editor is open
    dark.setColor(QPalette::Window, QColor(30, 30, 34));
    dark.setColor(QPalette::Base, QColor(20, 20, 24));
    dark.setColor(QPalette::Text, QColor(230, 230, 230));
    QApplication::setPalette(dark);
    QApplication::processEvents();
    const QColor darkTint = backgroundOf(form.styleSheet());
    QApplication::setPalette(before);
    QVERIFY2(lightTint.isValid() && lightTint.lightness() > 180, qPrintable(lightTint.name()));
    QVERIFY2(darkTint.isValid() && darkTint.lightness() < 100, qPrintable(form.styleSheet()));
  }

  void liveTabPlotsFillTheTab() {
    QTemporaryDir dir;
    MainWindow w(dir.filePath(QStringLiteral("runs.sqlite")));
    w.resize(1500, 950);
    w.show();
    w.showView(QStringLiteral("live"));
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QApplication::processEvents();
    auto* live = w.livePlot();
    auto* canvas = live->findChild<QCustomPlot*>(QStringLiteral("livePlotCanvas"));
    QVERIFY(canvas);
    QVERIFY2(canvas->height() >= 0.85 * live->height(),
             qPrintable(QStringLiteral("canvas %1 of %2 px").arg(canvas->height()).arg(live->height())));
    canvas->replot();
    int rects = 0;
    for (auto* r : canvas->axisRects()) rects += r->outerRect().height();
    QVERIFY2(rects >= 0.9 * canvas->height(),
             qPrintable(QStringLiteral("axis rects %1 of %2 px").arg(rects).arg(canvas->height())));
    QCOMPARE(canvas->axisRects().size(), 4);
  }
};

TERNLAB_VIEW_TEST_SUITE(WorkflowTest);
#include "WorkflowTest.moc"
