// ternlab: the Qt workbench. Wiring only: command line → MainWindow.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <memory>

#include "AppIcon.h"
#include "ExperimentForm.h"
#include "LivePlot.h"
#include "MainWindow.h"
#include "kernels/Isa.h"
#include "RunBrowser.h"
#include "StartupChoice.h"
#include "Version.h"
#include "store/RunStore.h"

namespace {

// --screenshot: grabs the window to a PNG after the delay, or when a run started with --train ends
// first; then waits for that run to finish (so it is stored complete) and quits.
void scheduleScreenshot(ternlab::views::MainWindow& window, const QString& path, int delayMs) {
  auto taken = std::make_shared<bool>(false);
  auto take = [&window, path, taken] {
    if (*taken) return;
    *taken = true;
    window.grab().save(path);
    if (!window.isTraining()) QTimer::singleShot(0, qApp, &QCoreApplication::quit);
  };
  QTimer::singleShot(delayMs, &window, take);
  QObject::connect(&window, &ternlab::views::MainWindow::trainingFinished, &window, [taken, take] {
    if (*taken)
      QTimer::singleShot(0, qApp, &QCoreApplication::quit);
    else
      QTimer::singleShot(300, qApp, take);  // let the final replot land first
  });
}

}  // namespace

int main(int argc, char** argv) {
  ternlab::kernels::matchBaselineIsaToKernels();  // the Speed tab's LibTorch baselines at the kernels' ISA
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("TernLab"));
  QApplication::setApplicationName(QStringLiteral("ternlab"));
  QApplication::setApplicationVersion(QString::fromLatin1(ternlab::kVersion));
  QApplication::setWindowIcon(ternlab::views::appIcon());

  QCommandLineParser cli;
  cli.setApplicationDescription(QStringLiteral("TernLab: train, track and compare ternary neural networks."));
  cli.addHelpOption();
  cli.addVersionOption();
  QCommandLineOption db(QStringLiteral("db"), QStringLiteral("Run store (SQLite). Default: the last one opened, else %1")
                                                  .arg(QString::fromStdString(ternlab::store::defaultDatabasePath())),
                        QStringLiteral("PATH"));
  QCommandLineOption experiment(QStringLiteral("experiment"), QStringLiteral("Experiment file that fills the editor."),
                                QStringLiteral("FILE.json"));
  QCommandLineOption train(QStringLiteral("train"), QStringLiteral("Start the experiment at once."));
  QCommandLineOption view(QStringLiteral("view"), QStringLiteral("Tab to show: live, runs, compare, density, kernels, speed."),
                          QStringLiteral("NAME"));
  QCommandLineOption select(QStringLiteral("select"),
                            QStringLiteral("Run ids (comma separated) to select; compare/density views show them."),
                            QStringLiteral("IDS"));
  QCommandLineOption screenshot(QStringLiteral("screenshot"), QStringLiteral("Save the window as PNG and quit."),
                                QStringLiteral("PATH"));
  QCommandLineOption delay(QStringLiteral("delay"), QStringLiteral("Milliseconds before the screenshot (default 1500)."),
                           QStringLiteral("MS"), QStringLiteral("1500"));
  QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size WxH."), QStringLiteral("WxH"));
  cli.addOptions({db, experiment, train, view, select, screenshot, delay, size});
  cli.addPositionalArgument(QStringLiteral("file"), QStringLiteral("Experiment file that fills the editor (as --experiment)."),
                            QStringLiteral("[FILE.json]"));
  cli.process(app);

  const auto start = ternlab::views::chooseStartup(cli.value(db), cli.value(experiment), cli.positionalArguments(), QSettings());
  const QString dbPath = start.database;
  QDir().mkpath(QFileInfo(dbPath).absolutePath());
  std::unique_ptr<ternlab::views::MainWindow> window;
  try {
    window = std::make_unique<ternlab::views::MainWindow>(dbPath);
  } catch (const std::exception& e) {
    QMessageBox::critical(nullptr, QStringLiteral("TernLab"),
                          QStringLiteral("Cannot open the run store %1:\n%2").arg(dbPath, QString::fromUtf8(e.what())));
    return 1;
  }
  if (!start.note.isEmpty()) window->statusBar()->showMessage(start.note);
  if (!start.experiment.isEmpty()) {
    QString error;
    if (!window->form()->loadFile(start.experiment, &error)) {
      QMessageBox::warning(window.get(), QStringLiteral("Experiment"), error);
    }
  }
  if (cli.isSet(size)) {
    const auto parts = cli.value(size).split(QLatin1Char('x'));
    if (parts.size() == 2) window->resize(parts[0].toInt(), parts[1].toInt());
  }
  window->show();
  if (cli.isSet(select)) {
    QVector<qint64> ids;
    for (const auto& s : cli.value(select).split(QLatin1Char(','), Qt::SkipEmptyParts)) ids << s.toLongLong();
    window->runBrowser()->selectRuns(ids);
    if (cli.value(view) == QLatin1String("compare")) window->compareRuns(ids);
    if (cli.value(view) == QLatin1String("density") && !ids.isEmpty()) window->showDensity(ids.front());
    if (cli.value(view) == QLatin1String("kernels") && !ids.isEmpty()) window->showKernels(ids.front());
  }
  if (cli.isSet(view)) window->showView(cli.value(view));
  if (cli.isSet(train)) window->startTraining();
  if (cli.isSet(screenshot)) scheduleScreenshot(*window, cli.value(screenshot), cli.value(delay).toInt());
  return app.exec();
}
