#pragma once
// What the workbench opens at start: the run store (--db, else the last one used, else the default) and the
// experiment that fills the editor (--experiment, else a FILE.json argument, as the .desktop file passes it).
// Exists so main() stays wiring and the choice is tested without a window.
#include <QSettings>
#include <QString>
#include <QStringList>

namespace ternlab::views {

struct StartupChoice {
  QString database;
  QString experiment;  // empty: the editor's default
  QString note;        // why the last database was not reopened, for the status bar (empty otherwise)
};

// dbOption / experimentOption: the option values ("" when not given); positional: the remaining arguments.
// settings' "lastDatabase" is reopened when it still exists.
StartupChoice chooseStartup(const QString& dbOption, const QString& experimentOption, const QStringList& positional,
                            const QSettings& settings);

}  // namespace ternlab::views
