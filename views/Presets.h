#pragma once
#include <QStringList>

namespace ternlab::views {

// Where experiment presets live: $TERNLAB_EXPERIMENTS, the installed share dir, or the source tree.
QString presetDirectory();
// The experiment files in dir (sorted), leaving out sweep files (those with "base" and "grid").
QStringList presetFiles(const QString& dir);

}  // namespace ternlab::views
