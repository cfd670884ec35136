// test_views [Suite [QtTest options]]: runs one registered QtTest suite, or all of them.
#include <QApplication>
#include <QStandardPaths>
#include <QtTest>
#include <memory>

#include "ViewTestSupport.h"

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("TernLabTests"));
  QApplication::setApplicationName(QStringLiteral("test_views"));
  QStandardPaths::setTestModeEnabled(true);

  const QString wanted = argc > 1 && argv[1][0] != '-' ? QString::fromLocal8Bit(argv[1]) : QString();
  QStringList args{QString::fromLocal8Bit(argv[0])};
  for (int i = wanted.isEmpty() ? 1 : 2; i < argc; ++i) args << QString::fromLocal8Bit(argv[i]);
  int failures = 0;
  bool found = false;
  for (const auto& [name, make] : ternlab::views::test::suites()) {
    if (!wanted.isEmpty() && wanted != QString::fromStdString(name)) continue;
    found = true;
    std::unique_ptr<QObject> suite(make());
    failures += QTest::qExec(suite.get(), args);
  }
  if (!found) {
    qCritical("no test suite called %s", qPrintable(wanted));
    return 2;
  }
  return failures == 0 ? 0 : 1;
}
