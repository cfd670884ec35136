#include "StartupChoice.h"

#include <QFileInfo>

#include "store/RunStore.h"

namespace ternlab::views {

StartupChoice chooseStartup(const QString& dbOption, const QString& experimentOption, const QStringList& positional,
                            const QSettings& settings) {
  StartupChoice c;
  c.database = dbOption;
  if (c.database.isEmpty()) {
    const QString last = settings.value(QStringLiteral("lastDatabase")).toString();
    if (!last.isEmpty() && QFileInfo(last).isFile())
      c.database = last;
    else if (!last.isEmpty())
      c.note = QStringLiteral("The last database %1 is gone; opened the default one").arg(last);
  }
  if (c.database.isEmpty()) c.database = QString::fromStdString(store::defaultDatabasePath());
  c.experiment = experimentOption;
  if (c.experiment.isEmpty() && !positional.isEmpty()) c.experiment = positional.front();
  return c;
}

}  // namespace ternlab::views
