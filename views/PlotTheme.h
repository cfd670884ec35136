#pragma once

class QCustomPlot;

namespace ternlab::views {

// Makes a plot follow the widget palette (so the system's dark or light theme): canvas, axes, tick labels,
// grids and legends take the palette's base and text colours before every replot, and a palette change
// replots. Every view's plots go through this, so none stays a white rectangle in a dark desktop.
void followPalette(QCustomPlot* plot);

}  // namespace ternlab::views
