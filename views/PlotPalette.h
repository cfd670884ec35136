#pragma once
#include <QColor>

namespace ternlab::views {

// One distinct colour per curve or run, the same everywhere in the workbench.
inline QColor seriesColor(int i) {
  static const QColor colors[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                                  QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75),
                                  QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34),
                                  QColor(23, 190, 207)};
  return colors[((i % 10) + 10) % 10];
}

}  // namespace ternlab::views
