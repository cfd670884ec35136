#pragma once
#include <QIcon>

namespace ternlab::views {

// The TernLab icon: the SVG resource when Qt can render SVG, else the same picture painted directly
// (Debian's qt6-base has no SVG image plugin).
QIcon appIcon();

}  // namespace ternlab::views
