#include "Presets.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <nlohmann/json.hpp>

namespace ternlab::views {

QString presetDirectory() {
  const QString env = qEnvironmentVariable("TERNLAB_EXPERIMENTS");
  if (!env.isEmpty()) return env;
  const QString installed = QCoreApplication::applicationDirPath() + QStringLiteral("/../share/ternlab/experiments");
  if (QDir(installed).exists()) return installed;
  return QStringLiteral(TERNLAB_SOURCE_DIR "/experiments");
}

QStringList presetFiles(const QString& dir) {
  QStringList files;
  const QDir d(dir);
  for (const QString& name : d.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
    QFile f(d.filePath(name));
    if (!f.open(QIODevice::ReadOnly)) continue;
    const auto doc = nlohmann::json::parse(f.readAll().toStdString(), nullptr, false);
    if (doc.is_object() && doc.contains("grid") && doc.contains("base")) continue;  // a sweep
    files << d.filePath(name);
  }
  return files;
}

}  // namespace ternlab::views
